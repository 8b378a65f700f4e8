#!/bin/sh
# Fails when web/dist does not match a fresh build of web/src (the server embeds web/dist, so a
# stale build would ship old code). Installs the locked dependencies first if they are missing.
set -eu
cd "$(dirname "$0")"

if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "check-fresh: installing locked dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
node build.mjs --outdir "$tmp/dist"

if ! diff -r dist "$tmp/dist" >/dev/null 2>&1; then
  echo "check-fresh: web/dist is STALE: it differs from a fresh build of web/src." >&2
  diff -rq dist "$tmp/dist" >&2 || true
  echo "check-fresh: run 'npm run build' in web/ and commit web/dist." >&2
  exit 1
fi
echo "check-fresh: web/dist is up to date."
