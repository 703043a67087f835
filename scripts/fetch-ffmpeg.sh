#!/usr/bin/env bash
# Puts an LGPL build of ffmpeg and ffprobe for a platform into
# third_party/ffmpeg/<platform>/, with the build's licence text and a SOURCE.txt
# naming where it came from (its URL, its sha256 and the FFmpeg source it was
# built from), and prints that folder as the last line of stdout. The Windows
# and macOS packages carry these files next to Tagsight's executables, where
# backend/media/tools.go looks before PATH ($TAGSIGHT_FFMPEG_DIR, then next to
# the binary, then PATH). Linux packages depend on Debian's ffmpeg instead.
#
#   scripts/fetch-ffmpeg.sh windows-x64
#   scripts/fetch-ffmpeg.sh darwin-arm64
#
# The build is pinned: scripts/ffmpeg.pins holds, per platform, the archive's
# URL, its sha256 and the source URL. A platform whose pin has no sha256 ("-")
# is refused until one is written there, or given for one run as
# FFMPEG_URL + FFMPEG_SHA256 (+ FFMPEG_SOURCE). A download whose sha256 differs
# from the pin is refused and removed, and so is a build configured with
# --enable-gpl or --enable-nonfree (not LGPL).
# Archives: .zip, .7z, .tar.* and conda's .conda (zip of tar.zst).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PINS=${FFMPEG_PINS:-$ROOT/scripts/ffmpeg.pins}

die() { echo "fetch-ffmpeg: $*" >&2; exit 1; }
log() { echo "fetch-ffmpeg: $*" >&2; }

platform=${1:-}
case "$platform" in
  windows-x64) exe=.exe ;;
  darwin-arm64 | darwin-x64) exe= ;;
  *) die "unknown platform '$platform' (want windows-x64, darwin-arm64 or darwin-x64; Linux uses Debian's ffmpeg)" ;;
esac

url=${FFMPEG_URL:-}
sum=${FFMPEG_SHA256:-}
source=${FFMPEG_SOURCE:-}
if [[ -z "$url" ]]; then
  [[ -f "$PINS" ]] || die "no pins file $PINS"
  read -r _ sum url source < <(awk -v p="$platform" '$1 == p { print; exit }' "$PINS") ||
    die "$PINS has no line for $platform"
fi
[[ -n "$url" && "$url" != "-" ]] || die "no URL pinned for $platform: write the archive URL and its sha256 into $PINS (or set FFMPEG_URL and FFMPEG_SHA256)"
if [[ ! "$sum" =~ ^[0-9a-f]{64}$ ]]; then
  die "no sha256 pinned for $platform: write it into $PINS (or set FFMPEG_SHA256) after checking the archive at $url"
fi
[[ -n "$source" && "$source" != "-" ]] || die "no source URL pinned for $platform (the LGPL asks the package to name it)"

dest=$ROOT/third_party/ffmpeg/$platform
stamp=$dest/.sha256
if [[ -s "$dest/ffmpeg$exe" && -s "$dest/ffprobe$exe" && "$(cat "$stamp" 2>/dev/null)" == "$sum" ]]; then
  log "already present ($sum)"
  echo "$dest"
  exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
name=$(basename "${url%%\?*}")
log "downloading $url"
curl -fsSL --retry 3 -o "$tmp/$name" "$url" || die "download of $url failed"
got=$(sha256sum "$tmp/$name" | cut -d' ' -f1)
if [[ "$got" != "$sum" ]]; then
  rm -f "$tmp/$name"
  die "sha256 mismatch for $name: got $got, pinned $sum (refused)"
fi

mkdir -p "$tmp/x"
case "$name" in
  *.zip) unzip -q "$tmp/$name" -d "$tmp/x" ;;
  *.7z) 7z x -bd -y -o"$tmp/x" "$tmp/$name" >/dev/null ;;
  *.tar.* | *.tgz | *.tar) tar -xf "$tmp/$name" -C "$tmp/x" ;;
  *.conda)
    unzip -q "$tmp/$name" -d "$tmp/c"
    for t in "$tmp"/c/pkg-*.tar.zst "$tmp"/c/info-*.tar.zst; do tar --zstd -xf "$t" -C "$tmp/x"; done
    ;;
  *) die "unknown archive type: $name" ;;
esac

find1() { find "$tmp/x" -type f -name "$1" | head -n1; }
ff=$(find1 "ffmpeg$exe")
fp=$(find1 "ffprobe$exe")
[[ -n "$ff" && -n "$fp" ]] || die "$name holds no ffmpeg$exe and ffprobe$exe"
# The configuration is in the binary as text: an LGPL build has neither flag.
for b in "$ff" "$fp"; do
  if grep -aqE -- '--enable-(gpl|nonfree)' "$b"; then
    die "$(basename "$b") in $name was built with --enable-gpl or --enable-nonfree: not an LGPL build (refused)"
  fi
done
lic=$(find "$tmp/x" -type f \( -iname 'LICENSE*' -o -iname 'COPYING.LGPL*' \) | head -n1)
[[ -n "$lic" ]] || die "$name carries no licence text (LICENSE*, COPYING.LGPL*)"

rm -rf "$dest"
mkdir -p "$dest"
cp "$ff" "$dest/ffmpeg$exe"
cp "$fp" "$dest/ffprobe$exe"
chmod 0755 "$dest/ffmpeg$exe" "$dest/ffprobe$exe"
cp "$lic" "$dest/FFMPEG-LICENSE.txt"
cat >"$dest/FFMPEG-SOURCE.txt" <<EOF
ffmpeg$exe and ffprobe$exe are FFmpeg (https://ffmpeg.org), an LGPL build,
licensed under the GNU Lesser General Public License version 2.1 or later
(FFMPEG-LICENSE.txt). Tagsight runs them as separate programs.

Binaries: $url
sha256:   $sum
Source:   $source
EOF
echo "$sum" >"$stamp"
echo "$dest"
