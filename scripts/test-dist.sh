#!/usr/bin/env bash
# Checks the release artefacts that scripts/dist-linux.sh and scripts/dist-windows.sh
# wrote into dist/, and lints .github/workflows/release.yml:
#
#   scripts/test-dist.sh                   # everything
#   scripts/test-dist.sh linux windows     # some of: linux windows workflow
#
# linux:    each .deb (dpkg-deb -c / -I) and tar.gz holds both binaries, ONNX Runtime,
#           the .desktop entry and icons; the packaged CLI runs from the extracted
#           tar and from the extracted .deb's /usr/bin symlink, and embeds a text
#           with the bundled libonnxruntime (TAGSIGHT_ORT_LIB unset, LD_DEBUG shows
#           which file was loaded); where this machine has the variant's webkit2gtk
#           and Xvfb, the packaged window opens (scripts/smoke-desktop.sh;
#           TEST_DIST_SMOKE=0 skips it).
# windows:  the installer (listed and unpacked with 7z) holds tagsight-desktop.exe,
#           tagsight.exe, onnxruntime.dll, DirectML.dll and an uninstaller; each is
#           PE32+ for x86-64 (GUI for the app, console for the CLI).
# workflow: actionlint, pinned (installed with `go install` when missing).
# Exits non-zero with a message on the first failure.
#
# Env: DIST_DIR (default dist/), VERSION (default: the VERSION file).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
[[ -x /usr/local/go/bin/go ]] && PATH=/usr/local/go/bin:$PATH
command -v go >/dev/null && PATH=$(go env GOPATH)/bin:$PATH
export PATH

fail() { echo "test-dist: FAIL: $*" >&2; exit 1; }
ok() { echo "test-dist: ok: $*"; }
note() { echo "test-dist: $*"; }

VERSION=${VERSION:-$(tr -d '[:space:]' <VERSION)}
DEB_VERSION=${VERSION//-/\~}
DIST=${DIST_DIR:-$ROOT/dist}
MODEL=$ROOT/models/testmodels/colour
what=("$@")
((${#what[@]})) || what=(linux windows workflow)

TMP=$(mktemp -d /tmp/tagsight-test-dist.XXXXXX) # outside the checkout: FindRuntime also looks in ./third_party
trap 'rm -rf "$TMP"' EXIT

# has LISTING PATH...: each PATH is a line (or line end) of the listing.
has() {
  local listing=$1 p
  shift
  for p in "$@"; do
    grep -qE "(^|[ /])${p//./\\.}( -> .*)?$" <<<"$listing" || fail "$p is missing from $CURRENT"
  done
}

# run_cli EXE LABEL: --version, then an embedding that must load the bundled runtime.
run_cli() {
  local exe=$1 label=$2 libdir=$3 out
  out=$(cd "$TMP" && env -u TAGSIGHT_ORT_LIB "$exe" --version 2>&1) || fail "$label --version: $out"
  [[ "$out" == *"$VERSION"* ]] || fail "$label --version says '$out', want $VERSION"
  ok "$label --version: $out"
  [[ -d "$MODEL" ]] || fail "$MODEL is missing (the test model)"
  out=$(cd "$TMP" && env -u TAGSIGHT_ORT_LIB -u TAGSIGHT_PROVIDER LD_DEBUG=files LD_DEBUG_OUTPUT="$TMP/ld" \
    "$exe" embed --model "$MODEL" --text red --json 2>"$TMP/embed.err") ||
    fail "$label embed: $(tail -n 5 "$TMP/embed.err")"
  python3 -c 'import json,sys; e=json.load(sys.stdin)["embedding"]; assert len(e) > 0 and all(isinstance(x, float) for x in e), e' <<<"$out" ||
    fail "$label embed printed no embedding: ${out:0:200}"
  grep -hoE "file=[^ ]*libonnxruntime[^ ]*" "$TMP"/ld.* | grep "file=$libdir/libonnxruntime" >/dev/null ||
    fail "$label did not load ONNX Runtime from $libdir: $(grep -hoE 'file=[^ ]*libonnxruntime[^ ]*' "$TMP"/ld.* | sort -u | tr '\n' ' ')"
  rm -f "$TMP"/ld.*
  ok "$label embed --json: $(python3 -c 'import json,sys; print(len(json.load(sys.stdin)["embedding"]))' <<<"$out")-d embedding, runtime from $libdir"
}

# ldd_ok BINARY LABEL: every library the binary needs resolves on this machine.
ldd_ok() {
  local missing
  missing=$(ldd "$1" 2>&1 | awk '/not found/ {print $1}' | tr '\n' ' ')
  if [[ -z "$missing" ]]; then
    ok "$2: all shared libraries resolve"
  else
    note "$2: not run, this machine lacks: $missing"
    return 1
  fi
}

# ---------------------------------------------------------------- Linux
test_linux() {
  local arch debs deb suffix listing info webkit webkit_so top tgz x
  arch=$(dpkg --print-architecture)
  debs=()
  for deb in "$DIST"/tagsight_"${DEB_VERSION}"_"${arch}".deb "$DIST"/tagsight_"${DEB_VERSION}"_"${arch}"_*.deb; do
    [[ -f "$deb" ]] && debs+=("$deb")
  done
  ((${#debs[@]})) || fail "no $DIST/tagsight_${DEB_VERSION}_${arch}*.deb: run scripts/dist-linux.sh"
  for deb in "${debs[@]}"; do
    CURRENT=$(basename "$deb")
    suffix=${CURRENT#tagsight_"${DEB_VERSION}"_"${arch}"}
    suffix=${suffix%.deb}
    suffix=${suffix#_}
    if [[ "$suffix" == webkit2_41 ]]; then
      webkit=libwebkit2gtk-4.1-0 webkit_so=libwebkit2gtk-4.1.so.0
    else
      webkit=libwebkit2gtk-4.0-37 webkit_so=libwebkit2gtk-4.0.so.37
    fi
    [[ "$suffix" == "" || "$suffix" == webkit2_41 ]] || fail "unexpected package $CURRENT"

    listing=$(dpkg-deb -c "$deb") || fail "dpkg-deb -c $CURRENT"
    has "$listing" usr/lib/tagsight/tagsight-desktop usr/lib/tagsight/tagsight \
      usr/lib/tagsight/libonnxruntime.so usr/lib/tagsight/libonnxruntime.so.1 usr/lib/tagsight/libonnxruntime.so.1.24.1 \
      usr/bin/tagsight-desktop usr/bin/tagsight usr/share/applications/tagsight.desktop \
      usr/share/icons/hicolor/256x256/apps/tagsight.png usr/share/icons/hicolor/512x512/apps/tagsight.png
    grep -qE '^l.* \./usr/bin/tagsight-desktop -> \.\./lib/tagsight/tagsight-desktop$' <<<"$listing" ||
      fail "$CURRENT: /usr/bin/tagsight-desktop is not a symlink to ../lib/tagsight/tagsight-desktop"
    ok "$CURRENT: dpkg-deb -c has the binaries, libonnxruntime, .desktop and icons"

    info=$(dpkg-deb -f "$deb" Package Version Architecture Depends Maintainer Description) || fail "dpkg-deb -f $CURRENT"
    for want in "Package: tagsight" "Version: $DEB_VERSION" "Architecture: $arch"; do
      grep -qxF "$want" <<<"$info" || fail "$CURRENT control lacks '$want'"
    done
    x=$(dpkg-deb -f "$deb" Depends)
    for dep in libgtk-3-0 "$webkit" libturbojpeg0 libc6; do
      grep -qE "(^|, )$dep( |,|$)" <<<"$x" || fail "$CURRENT Depends '$x' lacks $dep"
    done
    dpkg-deb -I "$deb" >/dev/null || fail "dpkg-deb -I $CURRENT"
    ok "$CURRENT: control: $(tr '\n' ' ' <<<"$(dpkg-deb -f "$deb" Version Depends)")"

    rm -rf "$TMP/deb" && mkdir -p "$TMP/deb"
    dpkg-deb -x "$deb" "$TMP/deb"
    if command -v desktop-file-validate >/dev/null; then
      desktop-file-validate "$TMP/deb/usr/share/applications/tagsight.desktop" || fail "$CURRENT: tagsight.desktop does not validate"
    fi
    grep -qx 'Categories=Graphics;Photography;' "$TMP/deb/usr/share/applications/tagsight.desktop" ||
      fail "$CURRENT: tagsight.desktop lacks Categories=Graphics;Photography;"
    for s in 256 512; do
      file -b "$TMP/deb/usr/share/icons/hicolor/${s}x${s}/apps/tagsight.png" | grep "PNG image data, $s x $s" >/dev/null ||
        fail "$CURRENT: the ${s}x${s} icon is not a $s×$s PNG"
    done
    x=$(objdump -p "$TMP/deb/usr/lib/tagsight/tagsight-desktop")
    grep -qE "NEEDED +$webkit_so\$" <<<"$x" ||
      fail "$CURRENT: tagsight-desktop does not link $webkit_so (its Depends name $webkit)"
    if ldd_ok "$TMP/deb/usr/lib/tagsight/tagsight-desktop" "$CURRENT tagsight-desktop" &&
      [[ "${TEST_DIST_SMOKE:-1}" != 0 ]] && command -v xvfb-run >/dev/null && command -v xdotool >/dev/null; then
      # The packaged window opens and paints (scripts/smoke-desktop.sh, under Xvfb).
      (cd "$TMP" && BIN="$TMP/deb/usr/bin/tagsight-desktop" SMOKE_TIMEOUT=40 \
        bash "$ROOT/scripts/smoke-desktop.sh" "$TMP/smoke.png" >"$TMP/smoke.log" 2>&1) ||
        fail "$CURRENT: the packaged tagsight-desktop did not show its window: $(tail -n 5 "$TMP/smoke.log")"
      ok "$CURRENT: packaged tagsight-desktop shows its window under Xvfb"
    fi
    # Through the /usr/bin symlink: FindRuntime must resolve it to /usr/lib/tagsight.
    run_cli "$TMP/deb/usr/bin/tagsight" "$CURRENT /usr/bin/tagsight" "$TMP/deb/usr/lib/tagsight"

    top=tagsight-$VERSION-linux-$arch${suffix:+-$suffix}
    tgz=$DIST/$top.tar.gz
    CURRENT=$(basename "$tgz")
    [[ -f "$tgz" ]] || fail "$tgz is missing"
    listing=$(tar -tvzf "$tgz") || fail "tar -t $CURRENT"
    has "$listing" "$top/tagsight-desktop" "$top/tagsight" "$top/libonnxruntime.so" "$top/libonnxruntime.so.1" \
      "$top/libonnxruntime.so.1.24.1" "$top/share/applications/tagsight.desktop" \
      "$top/share/icons/hicolor/256x256/apps/tagsight.png" "$top/share/icons/hicolor/512x512/apps/tagsight.png"
    ok "$CURRENT: lists the binaries, libonnxruntime, .desktop and icons"
    rm -rf "$TMP/tar" && mkdir -p "$TMP/tar"
    tar -xzf "$tgz" -C "$TMP/tar"
    cmp -s "$TMP/tar/$top/tagsight-desktop" "$TMP/deb/usr/lib/tagsight/tagsight-desktop" ||
      fail "$CURRENT and the .deb hold different tagsight-desktop binaries"
    run_cli "$TMP/tar/$top/tagsight" "$CURRENT ./tagsight" "$TMP/tar/$top"
    # And through a symlink elsewhere, as the README.txt suggests (~/.local/bin).
    mkdir -p "$TMP/bin" && ln -sfn "$TMP/tar/$top/tagsight" "$TMP/bin/tagsight"
    run_cli "$TMP/bin/tagsight" "$CURRENT via a symlink" "$TMP/tar/$top"
  done
}

# ---------------------------------------------------------------- Windows
# pe FILE: prints "pe32+ amd64 gui|console" or an error.
pe() {
  python3 - "$1" <<'EOF'
import struct, sys
d = open(sys.argv[1], "rb").read(4096)
if d[:2] != b"MZ":
    sys.exit("no MZ header")
off = struct.unpack_from("<I", d, 0x3C)[0]
if d[off:off + 4] != b"PE\0\0":
    sys.exit("no PE signature")
machine = struct.unpack_from("<H", d, off + 4)[0]
magic = struct.unpack_from("<H", d, off + 24)[0]
subsystem = struct.unpack_from("<H", d, off + 24 + 68)[0]
print({0x20B: "pe32+", 0x10B: "pe32"}.get(magic, hex(magic)),
      {0x8664: "amd64", 0x14C: "i386", 0xAA64: "arm64"}.get(machine, hex(machine)),
      {2: "gui", 3: "console"}.get(subsystem, str(subsystem)))
EOF
}

test_windows() {
  local inst=$DIST/Tagsight-$VERSION-windows-amd64-installer.exe listing f sub spec got want
  CURRENT=$(basename "$inst")
  [[ -f "$inst" ]] || fail "$inst is missing: run scripts/dist-windows.sh"
  command -v 7z >/dev/null || fail "7z not found (apt: p7zip-full)"
  got=$(pe "$inst") || fail "$CURRENT: $got"
  [[ "$got" == pe32\ i386\ gui ]] || fail "$CURRENT is '$got', want a 32-bit GUI NSIS stub"
  listing=$(7z l "$inst") || fail "7z cannot list $CURRENT"
  grep -q 'NSIS' <<<"$listing" || fail "$CURRENT is not an NSIS installer (7z: $(grep -m1 '^Type' <<<"$listing"))"
  for f in tagsight-desktop.exe tagsight.exe onnxruntime.dll DirectML.dll uninstall.exe; do
    grep -qE "[ /]$f$" <<<"$listing" || fail "$f is missing from $CURRENT"
  done
  ok "$CURRENT ($(du -h "$inst" | cut -f1)): holds tagsight-desktop.exe, tagsight.exe, onnxruntime.dll, DirectML.dll, uninstall.exe"
  rm -rf "$TMP/win" && mkdir -p "$TMP/win"
  7z x -y -o"$TMP/win" "$inst" tagsight-desktop.exe tagsight.exe onnxruntime.dll DirectML.dll >/dev/null ||
    fail "7z cannot extract from $CURRENT"
  for spec in "tagsight-desktop.exe gui" "tagsight.exe console" "onnxruntime.dll" "DirectML.dll"; do
    read -r f sub <<<"$spec"
    want="pe32+ amd64${sub:+ $sub}"
    got=$(pe "$TMP/win/$f") || fail "$f in $CURRENT: $got"
    [[ "$got" == "$want"* ]] || fail "$f in $CURRENT is '$got', want '$want'"
    ok "$f: $got$(command -v file >/dev/null && printf ' — file: %s' "$(file -b "$TMP/win/$f" | cut -d, -f1)")"
  done
  # The version is stamped at link time; the CLI's bytes hold it.
  grep -aqF "$VERSION" "$TMP/win/tagsight.exe" || fail "tagsight.exe does not contain the version $VERSION"
}

# ---------------------------------------------------------------- workflow
test_workflow() {
  local wf=.github/workflows/release.yml
  [[ -f "$wf" ]] || fail "$wf is missing"
  # Pinned: a new actionlint release must not fail (or pass) the build by
  # itself. The Go module proxy is one of the registries CI reaches, so an
  # install that fails is a failure, not a skip.
  local want=1.7.12
  if ! command -v actionlint >/dev/null || [[ "$(actionlint -version 2>/dev/null | head -n1)" != "v$want" ]]; then
    note "installing actionlint $want (go install github.com/rhysd/actionlint/cmd/actionlint@v$want)"
    go install "github.com/rhysd/actionlint/cmd/actionlint@v$want" >"$TMP/actionlint.log" 2>&1 || {
      cat "$TMP/actionlint.log" >&2
      fail "actionlint $want could not be installed: $wf not linted"
    }
  fi
  actionlint "$wf" || fail "actionlint $wf"
  ok "actionlint $want $wf"
}

for w in "${what[@]}"; do
  case "$w" in
    linux) test_linux ;;
    windows) test_windows ;;
    workflow) test_workflow ;;
    *) fail "unknown part '$w' (want linux, windows or workflow)" ;;
  esac
done
echo "test-dist: all passed (${what[*]})"
