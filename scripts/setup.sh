#!/usr/bin/env bash
# Installs what building, testing and running Tagsight needs on Debian 12 or
# Ubuntu 22.04+, then fetches the ONNX Runtime library. Safe to re-run: each step
# checks first, and a machine that is already set up takes a second or two.
#
#   scripts/setup.sh
#
# Needs Go (go.mod's version) and Node.js >= 20.19 on PATH; installs the rest:
#   - apt packages (as root, or through sudo) — GTK/WebKit for Wails, SQLite and
#     libjpeg-turbo headers for cgo, Xvfb/xdotool/ImageMagick for the desktop smoke
#     test, Chromium for end-to-end tests, exiftool for the XMP tests (and with --bench, python3-torch/onnx to
#     build the benchmark's model);
#   - the Wails CLI into $(go env GOPATH)/bin/wails;
#   - frontend/node_modules (npm ci);
#   - third_party/onnxruntime/<os>-<arch>/ (scripts/fetch-ort.sh);
#   - third_party/ocr-models/ (scripts/fetch-ocr-models.sh: PP-OCRv4 for the OCR tests).
# Writes build/.webkit-tags: empty with webkit2gtk-4.0, `webkit2_41` where only
# webkit2gtk-4.1 exists (Ubuntu 24.04, Debian 13); pass it to wails/go as -tags.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WAILS_VERSION=v2.9.2
# Wails v2.9.2 pins golang.org/x/tools v0.17.0, which neither compiles under Go
# 1.26 nor reads Go 1.26 export data (`wails build` type-checks ./... and dies with
# "package errors without types was imported from ..."). We build the same CLI
# with a current x/tools instead.
XTOOLS_VERSION=v0.52.0
NODE_MIN=20.19.0

step=""
trap 'rc=$?; if ((rc != 0)); then echo "setup: FAILED${step:+ while $step} (exit $rc)" >&2; fi' EXIT
say() { echo "setup: $*"; }
die() { echo "setup: $*" >&2; exit 1; }

# Go installed from the tarball is often not on PATH in non-login shells.
[[ -x /usr/local/go/bin/go ]] && PATH=/usr/local/go/bin:$PATH
export PATH

# ---------------------------------------------------------------- privileges
if ((EUID == 0)); then
  SUDO=()
elif command -v sudo >/dev/null; then
  SUDO=(sudo)
else
  die "run as root or install sudo (apt packages need root)"
fi

# ---------------------------------------------------------------- apt packages
step="installing apt packages"
command -v apt-get >/dev/null || die "apt-get not found: only Debian and Ubuntu are supported"

APT_PKGS=(
  build-essential pkg-config libgtk-3-dev libsqlite3-dev libturbojpeg0-dev libheif-dev
  xvfb xauth xdotool imagemagick chromium
  # release packaging (make dist-linux / dist-windows / test-dist)
  gcc-mingw-w64-x86-64 nsis p7zip-full desktop-file-utils
  # exiftool: the XMP tests read written sidecars back with the reference reader
  libimage-exiftool-perl
  # ffmpeg/ffprobe: videos' facts and posters (the .deb depends on it); the
  # tests generate their videos with it
  ffmpeg
  # DejaVu fonts: the font kind's tests read them (fc-query, iconv: the
  # expectations of the font and text tests, in fontconfig and libc-bin)
  fonts-dejavu-core fontconfig
  # a Chinese font: the OCR tests render Chinese text to read back
  fonts-wqy-microhei
)
# Python's torch/onnx only build test models (committed) and the benchmark's
# ViT-B/32-sized model: `setup.sh --bench` (make bench) adds them.
if [[ " $* " == *" --bench "* ]]; then
  APT_PKGS+=(python3-torch python3-onnx python3-numpy python3-faiss)
fi

installed() { [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]; }
candidate() { apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}' | grep -qv '^(none)$'; }

missing=()
for p in "${APT_PKGS[@]}"; do installed "$p" || missing+=("$p"); done
webkit=""
if installed libwebkit2gtk-4.0-dev; then
  webkit=libwebkit2gtk-4.0-dev
elif installed libwebkit2gtk-4.1-dev; then
  webkit=libwebkit2gtk-4.1-dev
fi

if ((${#missing[@]} > 0)) || [[ -z "$webkit" ]]; then
  say "apt-get update"
  "${SUDO[@]}" apt-get update -qq
  if [[ -z "$webkit" ]]; then
    if candidate libwebkit2gtk-4.0-dev; then
      webkit=libwebkit2gtk-4.0-dev
    elif candidate libwebkit2gtk-4.1-dev; then
      webkit=libwebkit2gtk-4.1-dev
    else
      die "neither libwebkit2gtk-4.0-dev nor libwebkit2gtk-4.1-dev is available from apt"
    fi
    missing+=("$webkit")
  fi
  say "apt-get install ${missing[*]}"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" ||
    die "apt-get install failed for: ${missing[*]}"
  for p in "${missing[@]}"; do installed "$p" || die "$p did not install"; done
else
  say "apt packages present ($webkit)"
fi

# ---------------------------------------------------------------- webkit build tag
step="detecting webkit2gtk"
if pkg-config --exists webkit2gtk-4.0; then
  tags=""
elif pkg-config --exists webkit2gtk-4.1; then
  tags="webkit2_41"
else
  die "pkg-config finds neither webkit2gtk-4.0 nor webkit2gtk-4.1"
fi
mkdir -p "$ROOT/build"
if [[ "$(cat "$ROOT/build/.webkit-tags" 2>/dev/null)" != "$tags" || ! -f "$ROOT/build/.webkit-tags" ]]; then
  printf '%s\n' "$tags" >"$ROOT/build/.webkit-tags"
fi
say "webkit build tags: '${tags}' (build/.webkit-tags)"

# ---------------------------------------------------------------- Go
step="checking Go"
command -v go >/dev/null || die "go not found: install Go $(awk '/^go /{print $2}' "$ROOT/go.mod") or newer from go.dev"
go_need=$(awk '/^go /{print $2}' "$ROOT/go.mod")
go_have=$(go env GOVERSION | sed 's/^go//')
if [[ "$(printf '%s\n%s\n' "$go_need" "$go_have" | sort -V | head -n1)" != "$go_need" ]]; then
  die "Go $go_have is older than go.mod's $go_need"
fi

# ---------------------------------------------------------------- Wails CLI
step="installing the Wails CLI"
GOBIN_DIR=$(go env GOPATH)/bin
wails_bin=$GOBIN_DIR/wails
wails_ok() {
  [[ -x "$wails_bin" ]] || return 1
  local info
  info=$(go version -m "$wails_bin" 2>/dev/null) || return 1
  grep -qE "^[[:space:]](mod|dep)[[:space:]]+github.com/wailsapp/wails/v2[[:space:]]+$WAILS_VERSION([[:space:]]|$)" <<<"$info" &&
    grep -qE "^[[:space:]]dep[[:space:]]+golang.org/x/tools[[:space:]]+$XTOOLS_VERSION([[:space:]]|$)" <<<"$info"
}
if wails_ok; then
  say "wails $WAILS_VERSION present ($wails_bin)"
else
  say "building wails $WAILS_VERSION with golang.org/x/tools $XTOOLS_VERSION"
  tmp=$(mktemp -d)
  (
    cd "$tmp"
    export GOFLAGS=-mod=mod GOTOOLCHAIN=local
    go mod init tagsight.local/wails-cli >/dev/null 2>&1
    printf '//go:build tools\n\npackage tools\n\nimport _ "github.com/wailsapp/wails/v2/cmd/wails"\n' >tools.go
    go get "github.com/wailsapp/wails/v2/cmd/wails@$WAILS_VERSION" "golang.org/x/tools@$XTOOLS_VERSION" >/dev/null 2>"$tmp/get.log" ||
      { cat "$tmp/get.log" >&2; exit 1; }
    mkdir -p "$GOBIN_DIR"
    go build -trimpath -o "$wails_bin" github.com/wailsapp/wails/v2/cmd/wails
  ) || { rm -rf "$tmp"; die "could not build the wails CLI"; }
  rm -rf "$tmp"
  wails_ok || die "$wails_bin is not wails $WAILS_VERSION with x/tools $XTOOLS_VERSION"
  say "installed $wails_bin"
fi

# ---------------------------------------------------------------- Node and frontend
step="installing frontend dependencies"
command -v node >/dev/null || die "node not found: install Node.js $NODE_MIN or newer (Vite 7 needs it)"
node_have=$(node -p 'process.versions.node')
if [[ "$(printf '%s\n%s\n' "$NODE_MIN" "$node_have" | sort -V | head -n1)" != "$NODE_MIN" ]]; then
  die "Node.js $node_have is older than $NODE_MIN (Vite 7 needs it)"
fi
FE=$ROOT/frontend
stamp=$FE/node_modules/.tagsight-deps
if [[ -f "$FE/package-lock.json" ]]; then
  want=$(cat "$FE/package.json" "$FE/package-lock.json" | sha256sum | cut -d' ' -f1)
  if [[ -d "$FE/node_modules" && "$(cat "$stamp" 2>/dev/null)" == "$want" ]]; then
    say "frontend/node_modules up to date"
  else
    say "npm ci"
    (cd "$FE" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed in frontend/"
    echo "$want" >"$stamp"
  fi
else
  say "npm install (no package-lock.json yet)"
  (cd "$FE" && npm install --no-audit --no-fund --loglevel=error) || die "npm install failed in frontend/"
  cat "$FE/package.json" "$FE/package-lock.json" | sha256sum | cut -d' ' -f1 >"$stamp"
fi

# ---------------------------------------------------------------- ONNX Runtime
step="fetching ONNX Runtime"
ort=$("$ROOT/scripts/fetch-ort.sh" | tail -n1) || die "scripts/fetch-ort.sh failed"
say "onnxruntime: $ort"

# ---------------------------------------------------------------- OCR models
step="fetching the OCR models"
ocr=$("$ROOT/scripts/fetch-ocr-models.sh" | tail -n1) || die "scripts/fetch-ocr-models.sh failed"
say "ocr models: $ocr"

step=""
say "done"
