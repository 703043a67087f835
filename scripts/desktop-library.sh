#!/usr/bin/env bash
# Makes a small colour library, indexed with the test colour model, for the
# desktop smoke test and screenshots: scripts/desktop-library.sh DIR
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${1:?usage: desktop-library.sh DIR}
rm -rf "$dir"
mkdir -p "$dir"
declare -A colours=([red]='#e61414' [green]='#14c81e' [blue]='#141edc' [yellow]='#f0e614' [white]='#fafafa' [black]='#050505')
for name in "${!colours[@]}"; do
  mkdir -p "$dir/$name"
  for i in 1 2 3; do
    convert -size 320x240 "xc:${colours[$name]}" "$dir/$name/$name-$i.jpg"
  done
done
# A red video: the smoke test's second look checks that a video's tile is
# its poster frame (ffmpeg is part of the install).
mkdir -p "$dir/video"
ffmpeg -hide_banner -loglevel error -nostdin -f lavfi -i "color=c=0xe61414:s=320x240:d=2" \
  -c:v libx264 -pix_fmt yuv420p "$dir/video/red.mp4"
"$ROOT/build/bin/tagsight" index "$dir" --model "$ROOT/models/testmodels/colour" >/dev/null
echo "$dir"
