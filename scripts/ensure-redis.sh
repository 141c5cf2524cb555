#!/usr/bin/env bash
# Makes sure `redis-server` is on PATH for the queue tests (test/queue/) and distributed sweeps.
# Installs Debian's redis-server package non-interactively when it is missing; the package's
# own service is not needed (the tests start private servers on free loopback ports), so it is
# stopped again if the install started one.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then
  echo "ensure-redis: $(redis-server --version | head -n1)"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
$SUDO apt-get install -y -q --no-install-recommends redis-server >/dev/null
# a package install may start the system service (port 6379); the tests do not use it
if command -v service >/dev/null 2>&1; then $SUDO service redis-server stop >/dev/null 2>&1 || true; fi
echo "ensure-redis: installed $(redis-server --version | head -n1)"
