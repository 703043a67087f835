#!/usr/bin/env bash
# Runs backend/library's tests as an unprivileged user when the suite runs as
# root (CI does): root reads mode-000 files and writes anywhere, so the
# permission-denied paths of the scanner would otherwise never run for real.
#
#   scripts/test-nonroot.sh
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
if ((EUID != 0)); then
  echo "test-nonroot: not root, so the ordinary run already covers it"
  exit 0
fi
user=nobody
id "$user" >/dev/null 2>&1 || { echo "test-nonroot: no user $user" >&2; exit 1; }

# The test binary and what it reads (../media/testdata), where the user can
# read them whatever the checkout's own folders allow.
work=$(mktemp -d "${TMPDIR:-/tmp}/tagsight-nonroot.XXXXXX")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tagsight-nonroot-tmp.XXXXXX")
trap 'rm -rf "$work" "$tmp"' EXIT
mkdir -p "$work/library" "$work/media"
go test -c -race -tags "${GOTAGS:-sqlite_fts5}" -o "$work/library/library.test" ./backend/library
cp -r backend/media/testdata "$work/media/"
chmod -R a+rX "$work"
chmod 1777 "$tmp"
cd "$work/library"
echo "test-nonroot: backend/library as $user"
runuser -u "$user" -- env HOME="$tmp" TMPDIR="$tmp" ./library.test -test.count=1
