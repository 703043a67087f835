#!/usr/bin/env bash
# Cross-builds Tagsight for Windows x64 on Linux and wraps it in an NSIS installer:
#
#   scripts/dist-windows.sh        # → dist/Tagsight-<VERSION>-windows-amd64-installer.exe
#
# The installer (build/windows/installer/project.nsi) puts into one folder
# (default C:\Program Files\Tagsight): tagsight-desktop.exe (the window),
# tagsight.exe (the CLI), onnxruntime.dll + DirectML.dll (+ dxcompiler.dll,
# dxil.dll) from onnxruntime-node (scripts/fetch-ort.sh windows-x64), a Start-menu
# and a desktop shortcut, and an uninstaller registered under "Apps".
#
# Both executables use cgo (SQLite, sqlite-vec), so they are compiled with mingw-w64
# (apt: gcc-mingw-w64-x86-64), and with -tags noturbo: Debian has no libjpeg-turbo
# for mingw, so JPEGs decode with the pure-Go fallback. Needs also nsis (makensis),
# libsqlite3-dev (sqlite-vec's bindings include the system <sqlite3.h>; mingw does
# not search /usr/include, so a copy is put on CGO_CFLAGS), the wails CLI, Go, npm.
# `scripts/setup.sh` installs all of them.
#
# Env: DIST_DIR (default dist/), VERSION (default: the VERSION file).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
[[ -x /usr/local/go/bin/go ]] && PATH=/usr/local/go/bin:$PATH
PATH=$(go env GOPATH 2>/dev/null)/bin:$PATH
export PATH

die() { echo "dist-windows: $*" >&2; exit 1; }
say() { echo "dist-windows: $*"; }

VERSION=${VERSION:-$(tr -d '[:space:]' <VERSION)}
# Build tags every Go build needs (the Makefile's GOTAGS): sqlite_fts5 for the text index.
GOTAGS=${GOTAGS:-sqlite_fts5}
[[ "$VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]] || die "VERSION '$VERSION' does not start with MAJOR.MINOR.PATCH"
DIST=${DIST_DIR:-$ROOT/dist}
STAGE=$ROOT/build/bin/windows-amd64 # project.nsi reads it as ..\..\bin\windows-amd64
INSTALLER=$DIST/Tagsight-$VERSION-windows-amd64-installer.exe
CC_WIN=x86_64-w64-mingw32-gcc

for t in go wails npm makensis "$CC_WIN"; do
  command -v "$t" >/dev/null || die "$t not found (run scripts/setup.sh; apt: gcc-mingw-w64-x86-64 nsis)"
done
[[ -f /usr/include/sqlite3.h ]] || die "/usr/include/sqlite3.h not found (apt: libsqlite3-dev)"
jsonver=$(sed -n 's/.*"productVersion": *"\([^"]*\)".*/\1/p' wails.json)
[[ "$jsonver" == "$VERSION" ]] ||
  echo "dist-windows: warning: wails.json productVersion is '$jsonver', VERSION is '$VERSION': the exe's file properties show '$jsonver' (the installer and its registry entry use $VERSION)" >&2

# ---------------------------------------------------------------- ONNX Runtime
# fetch-ort.sh names the platform windows-x64; FindRuntime's development folder is win32-x64.
ort=$(scripts/fetch-ort.sh windows-x64 | tail -n1) || ort=$(scripts/fetch-ort.sh win32-x64 | tail -n1) ||
  die "scripts/fetch-ort.sh could not fetch the Windows ONNX Runtime"
ortdir=$(dirname "$ort")
for f in onnxruntime.dll DirectML.dll; do [[ -s "$ortdir/$f" ]] || die "$ortdir/$f is missing"; done

rm -rf "$STAGE"
mkdir -p "$STAGE/include" "$DIST"
rm -f "$DIST"/Tagsight-*-windows-amd64-installer.exe
cp "$ortdir"/*.dll "$STAGE/"
# ffmpeg/ffprobe (an LGPL build, with its licence and source) beside the exes,
# where backend/media/tools.go looks before PATH. Until scripts/ffmpeg.pins pins
# a build, the installer carries none (FFMPEG_REQUIRED=1 makes that an error).
if ffdir=$(scripts/fetch-ffmpeg.sh windows-x64 | tail -n1); then
  cp "$ffdir"/ffmpeg.exe "$ffdir"/ffprobe.exe "$ffdir"/FFMPEG-LICENSE.txt "$ffdir"/FFMPEG-SOURCE.txt "$STAGE/"
elif [[ "${FFMPEG_REQUIRED:-}" == 1 ]]; then
  die "scripts/fetch-ffmpeg.sh could not fetch ffmpeg for Windows"
else
  echo "dist-windows: warning: no pinned LGPL ffmpeg (scripts/ffmpeg.pins): the installer carries none; videos get container facts only" >&2
fi
cp /usr/include/sqlite3.h "$STAGE/include/"
[[ -f /usr/include/sqlite3ext.h ]] && cp /usr/include/sqlite3ext.h "$STAGE/include/"

# VIProductVersion must be four numbers: 1.2.3-rc1 → 1.2.3.0.
vi=$(grep -oE '^[0-9]+\.[0-9]+\.[0-9]+' <<<"$VERSION").0
cat >"$STAGE/version.nsh" <<EOF
; written by scripts/dist-windows.sh from the VERSION file
!define INFO_PRODUCTVERSION "$VERSION"
!define TAGSIGHT_VI_VERSION "$vi"
EOF
printf '%s\r\n' \
  "Tagsight $VERSION" "" \
  "tagsight-desktop.exe  the desktop app (Start menu: Tagsight)" \
  "tagsight.exe          the command line: tagsight --help" "" \
  "onnxruntime.dll and DirectML.dll (ONNX Runtime 1.24.1) run the AI models;" \
  "the app looks for onnxruntime.dll next to its own exe first." \
  "TAGSIGHT_ORT_LIB=C:\\path\\to\\onnxruntime.dll overrides that." >"$STAGE/README.txt"

# ---------------------------------------------------------------- cross-compile
xenv=(GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC="$CC_WIN" CXX=x86_64-w64-mingw32-g++
  CGO_CFLAGS="-I$STAGE/include -O2")
ldflags="-X main.version=$VERSION"

say "CLI: tagsight.exe"
env "${xenv[@]}" go build -trimpath -tags noturbo,noheif,$GOTAGS -ldflags "-s -w $ldflags" -o "$STAGE/tagsight.exe" ./cmd/tagsight

# Bindings need a native build of the app: generate them before exporting the
# cross-compiling environment, then tell wails not to try (STACK-NOTES: Wails).
say "bindings: wails generate module"
wails generate module -tags "$GOTAGS" >"$STAGE/wails-generate.log" 2>&1 ||
  { tail -n 40 "$STAGE/wails-generate.log" >&2; die "wails generate module failed"; }

# wails rewrites wails_tools.nsh from its template on every build; keep the
# committed copy as it was so a release build leaves the tree clean.
nsh=$ROOT/build/windows/installer/wails_tools.nsh
nsh_keep=$(mktemp)
cp "$nsh" "$nsh_keep"
trap 'cp "$nsh_keep" "$nsh"; rm -f "$nsh_keep"; rm -rf "$ROOT/build/windows/installer/tmp"' EXIT

say "desktop: wails build -platform windows/amd64 -nsis"
rm -f build/bin/tagsight-desktop.exe build/bin/Tagsight-amd64-installer.exe
log=$STAGE/wails-build.log
env "${xenv[@]}" wails build -platform windows/amd64 -nsis -skipbindings -tags noturbo,noheif,$GOTAGS \
  -ldflags "$ldflags" -trimpath -m -nosyncgomod >"$log" 2>&1 ||
  { tail -n 40 "$log" >&2; die "wails build failed (log: $log)"; }
[[ -s build/bin/tagsight-desktop.exe ]] || die "wails produced no build/bin/tagsight-desktop.exe"
[[ -s build/bin/Tagsight-amd64-installer.exe ]] || die "wails produced no build/bin/Tagsight-amd64-installer.exe"
cp build/bin/tagsight-desktop.exe "$STAGE/"
mv -f build/bin/Tagsight-amd64-installer.exe "$INSTALLER"

say "wrote $INSTALLER ($(du -h "$INSTALLER" | cut -f1))"
