#!/bin/sh
# One-time (and idempotent) setup: pnpm, nats-server, dependencies, build.
# Safe to re-run: each step is skipped when already done.
set -eu
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "Cohort needs Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none))." >&2
  exit 1
fi

if ! command -v pnpm >/dev/null 2>&1; then
  say "installing pnpm (npm install -g pnpm@9)"
  npm install -g pnpm@9 >/dev/null 2>&1 || {
    echo "Could not install pnpm. Install it yourself: 'npm install -g pnpm@9' (or 'corepack enable'), then re-run." >&2
    exit 1
  }
fi

if ! command -v nats-server >/dev/null 2>&1 && [ ! -x /usr/sbin/nats-server ] && [ -z "${NATS_SERVER:-}" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing nats-server (apt-get install -y nats-server)"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nats-server >/dev/null
  else
    echo "nats-server is not installed. Install it (Debian/Ubuntu: 'sudo apt-get install -y nats-server'," >&2
    echo "or download from https://github.com/nats-io/nats-server/releases) or set NATS_SERVER=/path/to/nats-server." >&2
    exit 1
  fi
fi

say "installing dependencies (pnpm install)"
pnpm install --frozen-lockfile --reporter=silent 2>/dev/null || pnpm install --reporter=silent
say "building (pnpm build)"
pnpm run --silent build
