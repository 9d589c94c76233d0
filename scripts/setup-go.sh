#!/usr/bin/env bash
# Makes sure Go 1.24+ is there for the Go plugin tests (GOOS=wasip1 -buildmode=c-shared), installing Debian's
# golang-go when no go is on PATH, and downloads the Go examples' modules once through the Go module proxy.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
if ! command -v go >/dev/null; then
  echo "setup: no go on PATH; installing golang-go from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq golang-go >/dev/null
fi
version="$(go env GOVERSION)"
minor="$(echo "$version" | sed -E 's/^go1\.([0-9]+).*/\1/')"
if ! [ "$minor" -ge 24 ] 2>/dev/null; then
  echo "setup: $version is too old for Go plugins: Go 1.24 or newer is needed" >&2
  exit 1
fi
for d in "$here"/examples/go-* "$here"/test/fixtures/go-plugins/*/; do
  [ -f "$d/go.mod" ] && (cd "$d" && go mod download)
done
echo "setup: $version ready for Go plugins" >&2
