#!/usr/bin/env bash
# Regenerates build/appicon.png (1024x1024) and build/windows/icon.ico with ImageMagick.
# The icon is drawn rather than checked in as a design file, so it can be tweaked here.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# Rounded-square backdrop with a diagonal indigo gradient.
convert -size 1500x1500 gradient:'#4f46e5'-'#1e1b4b' -rotate -45 +repage -gravity center -crop 1024x1024+0+0 +repage "$tmp/grad.png"
# (IM6's roundrectangle chamfers large radii, so the corners are four circles and two rectangles.)
convert -size 1024x1024 xc:none -fill white \
  -draw 'rectangle 228,48 796,975' -draw 'rectangle 48,228 975,796' \
  -draw 'circle 228,228 228,48' -draw 'circle 796,228 796,48' \
  -draw 'circle 228,796 228,976' -draw 'circle 796,796 796,976' "$tmp/mask.png"
convert "$tmp/grad.png" "$tmp/mask.png" -alpha off -compose CopyOpacity -composite "$tmp/bg.png"

# A price tag pointing left, corners rounded by a thick round-joined stroke; punched hole near the point.
convert -size 1024x1024 xc:none \
  -fill '#fbbf24' -stroke '#fbbf24' -strokewidth 64 -draw 'stroke-linejoin round polygon 290,512 440,372 760,372 760,652 440,652' \
  \( -size 1024x1024 xc:none -fill black -draw 'circle 430,512 430,556' \) -compose DstOut -composite \
  -distort SRT '512,512 1 45 512,512' "$tmp/tag.png"

# A soft shadow under the tag, then the tag itself.
convert "$tmp/tag.png" -background black -shadow 45x18+0+16 "$tmp/shadow.png"
convert "$tmp/bg.png" \( "$tmp/shadow.png" \) -gravity center -geometry +0+10 -composite \
  "$tmp/tag.png" -gravity center -composite -strip appicon.png

mkdir -p windows
convert appicon.png -define icon:auto-resize=256,128,64,48,32,16 windows/icon.ico
echo "wrote $(pwd)/appicon.png and windows/icon.ico"
