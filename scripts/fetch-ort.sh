#!/usr/bin/env bash
# Puts the ONNX Runtime shared library for a platform into
# third_party/onnxruntime/<os>-<arch>/ and prints its full path as the last line
# of stdout (messages go to stderr), e.g.
#   third_party/onnxruntime/linux-x64/libonnxruntime.so.1.24.1  (+ .so.1 and .so symlinks)
#
#   scripts/fetch-ort.sh              # this machine's platform
#   scripts/fetch-ort.sh windows-x64  # another one (linux-x64 linux-arm64 darwin-arm64 windows-x64 windows-arm64)
#
# The libraries come from the npm package onnxruntime-node (fetched with
# `npm pack`, whose integrity npm checks; its install script is never run).
# github.com/yalue/onnxruntime_go v1.27.0 needs the 1.24.x C API.
# Env: ORT_VERSION (default 1.24.1).
set -euo pipefail

ORT_VERSION=${ORT_VERSION:-1.24.1}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

die() { echo "fetch-ort: $*" >&2; exit 1; }
log() { echo "fetch-ort: $*" >&2; }

platform=${1:-}
if [[ -z "$platform" ]]; then
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    MINGW* | MSYS* | CYGWIN*) os=windows ;;
    *) die "unsupported OS $(uname -s)" ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) die "unsupported CPU $(uname -m)" ;;
  esac
  platform=$os-$arch
fi

# Where each platform's files sit in the package, and what we call them.
src=package/bin/napi-v6
case "$platform" in
  linux-x64 | linux-arm64)
    members=("$src/linux/${platform#linux-}/libonnxruntime.so.1")
    lib=libonnxruntime.so.$ORT_VERSION
    links=(libonnxruntime.so.1 libonnxruntime.so)
    ;;
  darwin-arm64)
    members=("$src/darwin/arm64/libonnxruntime.$ORT_VERSION.dylib")
    lib=libonnxruntime.$ORT_VERSION.dylib
    links=(libonnxruntime.dylib)
    ;;
  windows-x64 | windows-arm64)
    a=${platform#windows-}
    # DirectML and its shader compiler ship beside onnxruntime.dll; it loads them on demand.
    members=("$src/win32/$a/onnxruntime.dll" "$src/win32/$a/DirectML.dll" "$src/win32/$a/dxcompiler.dll" "$src/win32/$a/dxil.dll")
    lib=onnxruntime.dll
    links=()
    ;;
  darwin-x64) die "onnxruntime-node $ORT_VERSION ships no Intel macOS library" ;;
  *) die "unknown platform $platform (want linux-x64, linux-arm64, darwin-arm64, windows-x64 or windows-arm64)" ;;
esac

dest=$ROOT/third_party/onnxruntime/$platform
stamp=$dest/.version

if [[ -s "$dest/$lib" && "$(cat "$stamp" 2>/dev/null)" == "$ORT_VERSION" ]]; then
  log "already present ($ORT_VERSION)"
else
  command -v npm >/dev/null || die "npm not found (install Node.js 20+)"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  log "downloading onnxruntime-node@$ORT_VERSION (about 85 MB)…"
  (cd "$tmp" && npm pack --silent "onnxruntime-node@$ORT_VERSION" >/dev/null) ||
    die "npm pack onnxruntime-node@$ORT_VERSION failed"
  tgz=$(ls "$tmp"/onnxruntime-node-*.tgz 2>/dev/null | head -n1)
  [[ -f "$tgz" ]] || die "npm pack produced no tarball"
  tar -xzf "$tgz" -C "$tmp" "${members[@]}" || die "the package lacks ${members[*]}"

  rm -rf "$dest"
  mkdir -p "$dest"
  cp "$tmp/${members[0]}" "$dest/$lib"
  for m in "${members[@]:1}"; do cp "$tmp/$m" "$dest/"; done
  for l in "${links[@]}"; do ln -sfn "$lib" "$dest/$l"; done
  echo "$ORT_VERSION" >"$stamp"
fi

[[ -s "$dest/$lib" ]] || die "$dest/$lib is missing after extraction"
for l in "${links[@]}"; do [[ -e "$dest/$l" ]] || die "$dest/$l is missing"; done

# On this machine's own platform, check that the library really loads and exports the C API entry point.
if [[ -z "${1:-}" && "$platform" == linux-* ]] && command -v python3 >/dev/null; then
  python3 -c 'import ctypes, sys; ctypes.CDLL(sys.argv[1]).OrtGetApiBase' "$dest/$lib" ||
    die "$dest/$lib does not load"
fi

echo "$dest/$lib"
