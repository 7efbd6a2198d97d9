#!/usr/bin/env bash
# Installs Debian's Chromium for the dashboard's browser test when it is missing (playwright-core drives
# it; `npx playwright install` cannot download browsers here). Needs root, as on the project's machines.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
echo "ensure-chromium: /usr/bin/chromium is missing; installing Debian's chromium package" >&2
export DEBIAN_FRONTEND=noninteractive
as_root=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "ensure-chromium: run as root, or install Debian's chromium package first" >&2; exit 1; }
  as_root=(sudo -E)
fi
"${as_root[@]}" apt-get update
"${as_root[@]}" apt-get install -y chromium
