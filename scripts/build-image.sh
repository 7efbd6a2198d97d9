#!/usr/bin/env bash
# `npm run image`: builds the container image localhost/mjsim:latest from the Containerfile with podman, or
# docker when podman is not installed.
#   npm run image                      FROM the official Node.js images (needs docker.io)
#   npm run image -- --local-bases     FROM Debian-package bases made here (podman; no registry needed)
# MJSIM_IMAGE overrides the tag. Extra arguments go to `build`.
set -euo pipefail
cd "$(dirname "$0")/.."

image=${MJSIM_IMAGE:-localhost/mjsim:latest}
args=(-t "$image" -f Containerfile --ulimit nofile=4096:4096 --ulimit nproc=4096:4096)
if [ "${1:-}" = --local-bases ]; then
  shift
  command -v podman >/dev/null || { echo "build-image: --local-bases needs podman" >&2; exit 1; }
  bash scripts/container-bases.sh
  suite=${MJSIM_BASE_SUITE:-trixie}
  # The registry is reached through the host's CA bundle, mounted read-only for the build only.
  args+=(--network host -v /etc/ssl/certs:/etc/ssl/certs:ro
    --build-arg "BASE=localhost/mjsim-base-runtime:$suite" --build-arg "BUILD_BASE=localhost/mjsim-base-build:$suite"
    --build-arg NPM_CAFILE=/etc/ssl/certs/ca-certificates.crt)
fi

if command -v podman >/dev/null; then
  engine=(podman)
  # crun fails on some kernels' cgroups (this project's machines among them); runc with cgroupfs works.
  if command -v runc >/dev/null; then engine+=(--runtime runc --cgroup-manager cgroupfs); fi
  args+=(--format docker) # the OCI format drops HEALTHCHECK
elif command -v docker >/dev/null; then
  engine=(docker)
else
  echo "build-image: neither podman nor docker is installed" >&2
  exit 1
fi
echo "build-image: ${engine[*]} build ${args[*]} $* ."
"${engine[@]}" build "${args[@]}" "$@" .
echo "build-image: built $image"
