#!/usr/bin/env bash
# Checks scripts/fetch-ffmpeg.sh with local archives (file:// URLs, nothing
# downloaded): a good LGPL-looking archive is placed with its licence and
# source; a wrong sha256, a missing pin and a GPL build are refused, and
# none of them leaves files behind.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fail() { echo "test-fetch-ffmpeg: FAIL: $*" >&2; exit 1; }
ok() { echo "test-fetch-ffmpeg: ok: $*"; }

tmp=$(mktemp -d /tmp/tagsight-fetch-ffmpeg.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# A copy of the script in a scratch tree, so third_party/ of the checkout is untouched.
mkdir -p "$tmp/tree/scripts"
cp "$ROOT/scripts/fetch-ffmpeg.sh" "$tmp/tree/scripts/"
run() { (cd "$tmp/tree" && bash scripts/fetch-ffmpeg.sh "$@"); }

mk() { # mk NAME CONFIG: a zip like BtbN's, ffmpeg.exe built with CONFIG
  local d=$tmp/$1
  mkdir -p "$d/ffmpeg-n7.1-win64-lgpl-7.1/bin"
  printf 'MZ fake ffmpeg configuration: %s\n' "$2" >"$d/ffmpeg-n7.1-win64-lgpl-7.1/bin/ffmpeg.exe"
  printf 'MZ fake ffprobe configuration: %s\n' "$2" >"$d/ffmpeg-n7.1-win64-lgpl-7.1/bin/ffprobe.exe"
  printf 'GNU LESSER GENERAL PUBLIC LICENSE Version 2.1\n' >"$d/ffmpeg-n7.1-win64-lgpl-7.1/LICENSE.txt"
  (cd "$d" && zip -qr "$tmp/$1.zip" ffmpeg-n7.1-win64-lgpl-7.1)
}
mk lgpl "--enable-shared --disable-debug"
mk gpl "--enable-gpl --enable-libx264"
good=$(sha256sum "$tmp/lgpl.zip" | cut -d' ' -f1)
dest=$tmp/tree/third_party/ffmpeg/windows-x64

# A wrong sha256: refused, nothing placed.
if out=$(FFMPEG_URL="file://$tmp/lgpl.zip" FFMPEG_SHA256=$(printf '0%.0s' {1..64}) FFMPEG_SOURCE=https://ffmpeg.org run windows-x64 2>&1); then
  fail "a wrong sha256 was accepted: $out"
fi
grep -q "sha256 mismatch" <<<"$out" || fail "wrong sha256: unexpected message: $out"
[[ ! -e "$dest" ]] || fail "a refused download left $dest"
ok "a wrong sha256 is refused"

# No pin at all (the pins file's "-"): refused before any download.
printf 'windows-x64 - file://%s https://ffmpeg.org\n' "$tmp/lgpl.zip" >"$tmp/pins"
if out=$(FFMPEG_PINS=$tmp/pins run windows-x64 2>&1); then fail "an unpinned platform was fetched: $out"; fi
grep -q "no sha256 pinned" <<<"$out" || fail "unpinned: unexpected message: $out"
ok "an unpinned platform is refused"

# A GPL build with the right sha256: refused.
gsum=$(sha256sum "$tmp/gpl.zip" | cut -d' ' -f1)
if out=$(FFMPEG_URL="file://$tmp/gpl.zip" FFMPEG_SHA256=$gsum FFMPEG_SOURCE=https://ffmpeg.org run windows-x64 2>&1); then
  fail "a GPL build was accepted: $out"
fi
grep -q "not an LGPL build" <<<"$out" || fail "GPL: unexpected message: $out"
[[ ! -e "$dest" ]] || fail "a refused GPL build left $dest"
ok "a GPL build is refused"

# The pinned archive, through the pins file: placed with licence and source.
printf 'windows-x64 %s file://%s https://github.com/FFmpeg/FFmpeg/tree/n7.1\n' "$good" "$tmp/lgpl.zip" >"$tmp/pins"
last=$(FFMPEG_PINS=$tmp/pins run windows-x64 2>/dev/null | tail -n1)
[[ "$last" == "$dest" ]] || fail "printed '$last', want $dest"
for f in ffmpeg.exe ffprobe.exe FFMPEG-LICENSE.txt FFMPEG-SOURCE.txt; do [[ -s "$dest/$f" ]] || fail "$f not placed"; done
grep -q "LESSER GENERAL PUBLIC LICENSE" "$dest/FFMPEG-LICENSE.txt" || fail "licence text not the archive's"
grep -q "$good" "$dest/FFMPEG-SOURCE.txt" && grep -q "tree/n7.1" "$dest/FFMPEG-SOURCE.txt" || fail "FFMPEG-SOURCE.txt lacks the sha256 or the source URL"
cmp -s "$dest/ffmpeg.exe" "$tmp/lgpl/ffmpeg-n7.1-win64-lgpl-7.1/bin/ffmpeg.exe" || fail "ffmpeg.exe is not the archive's"
ok "the pinned archive is placed with its licence and source"
echo "test-fetch-ffmpeg: 4 passed, 0 failed"
