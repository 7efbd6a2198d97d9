#!/usr/bin/env bash
# Builds the two base images the Containerfile can start from, out of Debian packages, for machines that
# reach no container registry (like the project's CI): a runtime base (Node only) and a build base (Node,
# npm and the compilers better-sqlite3 needs). Each is built once and kept: an existing image is reused.
#   scripts/container-bases.sh            prints nothing but progress; the image names are below
# Needs root, podman and mmdebstrap (apt-get install podman runc mmdebstrap).
set -euo pipefail

SUITE=${MJSIM_BASE_SUITE:-trixie}
RUNTIME_BASE=localhost/mjsim-base-runtime:$SUITE
BUILD_BASE=localhost/mjsim-base-build:$SUITE
# crun fails on this kernel's cgroups; runc with cgroupfs works.
PODMAN=(podman --runtime runc --cgroup-manager cgroupfs)

make_base() { # image packages [podman import --change ...]
  local image=$1 packages=$2 tar
  shift 2
  if "${PODMAN[@]}" image exists "$image"; then
    echo "container-bases: $image exists, reused"
    return
  fi
  tar=$(mktemp --suffix=.tar)
  echo "container-bases: building $image from Debian $SUITE ($packages)"
  mmdebstrap --quiet --variant=minbase --include="$packages" "$SUITE" "$tar"
  "${PODMAN[@]}" import --quiet --change 'CMD ["/bin/bash"]' "$@" "$tar" "$image" >/dev/null
  rm -f "$tar"
}

make_base "$RUNTIME_BASE" nodejs,ca-certificates
# The build base: Debian's npm 9 misreads lock files written by npm 11, so npm 11 replaces it; its
# node-gyp compiles against Debian's Node headers (libnode-dev, under /usr/include/node) via nodedir.
if ! "${PODMAN[@]}" image exists "$BUILD_BASE"; then
  make_base "$BUILD_BASE-debian" nodejs,npm,python3,make,g++,ca-certificates --change 'ENV npm_config_nodedir=/usr'
  echo "container-bases: installing npm 11 into $BUILD_BASE"
  container=$("${PODMAN[@]}" run -d --network host --ulimit nofile=4096:4096 --ulimit nproc=4096:4096 \
    -v /etc/ssl/certs:/etc/ssl/certs:ro -e npm_config_cafile=/etc/ssl/certs/ca-certificates.crt \
    "$BUILD_BASE-debian" npm install --global --no-audit --no-fund --loglevel=error npm@11)
  [ "$("${PODMAN[@]}" wait "$container")" = 0 ] || { "${PODMAN[@]}" logs "$container" >&2; exit 1; }
  "${PODMAN[@]}" commit --quiet --change 'CMD ["/bin/bash"]' "$container" "$BUILD_BASE" >/dev/null
  "${PODMAN[@]}" rm "$container" >/dev/null
  "${PODMAN[@]}" rmi "$BUILD_BASE-debian" >/dev/null
else
  echo "container-bases: $BUILD_BASE exists, reused"
fi
