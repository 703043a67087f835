#!/usr/bin/env bash
# Builds Tagsight's Linux release artefacts into dist/:
#
#   tagsight_<V>_<arch>.deb                     Debian 12 / Ubuntu 22.04 (webkit2gtk-4.0)
#   tagsight-<V>-linux-<arch>.tar.gz            same binaries, unpack anywhere
#   tagsight_<V>_<arch>_webkit2_41.deb          Ubuntu 24.04 / Debian 13 (webkit2gtk-4.1, -tags webkit2_41)
#   tagsight-<V>-linux-<arch>-webkit2_41.tar.gz
#
# A variant is built only where pkg-config finds its webkit2gtk (the -dev package):
# libwebkit2gtk-4.0-dev for the first pair, libwebkit2gtk-4.1-dev for the second;
# a missing one is skipped with a message (set DIST_REQUIRE_ALL=1 to fail instead).
# No AppImage: Debian packages neither appimagetool nor linuxdeploy.
#
# Layout in the .deb (FindRuntime in backend/clip/provider.go resolves the
# executable's symlinks and looks in its folder, so the runtime sits beside the
# real executables, not on the system library path):
#   /usr/lib/tagsight/{tagsight-desktop,tagsight,libonnxruntime.so.1.24.1,libonnxruntime.so.1,libonnxruntime.so}
#   /usr/bin/{tagsight-desktop,tagsight} -> ../lib/tagsight/…
#   /usr/share/applications/tagsight.desktop
#   /usr/share/icons/hicolor/{256x256,512x512}/apps/tagsight.png
# The tar.gz has the same files flat in tagsight-<V>-linux-<arch>[-webkit2_41]/ (+ share/).
#
# Env: DIST_DIR (default dist/), VERSION (default: the VERSION file),
#      DEB_MAINTAINER, DIST_REQUIRE_ALL.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
[[ -x /usr/local/go/bin/go ]] && PATH=/usr/local/go/bin:$PATH
PATH=$(go env GOPATH 2>/dev/null)/bin:$PATH
export PATH

die() { echo "dist-linux: $*" >&2; exit 1; }
say() { echo "dist-linux: $*"; }

VERSION=${VERSION:-$(tr -d '[:space:]' <VERSION)}
# Build tags every Go build needs (the Makefile's GOTAGS): sqlite_fts5 for the text index.
GOTAGS=${GOTAGS:-sqlite_fts5}
[[ "$VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]] || die "VERSION '$VERSION' does not start with MAJOR.MINOR.PATCH"
DEB_VERSION=${VERSION//-/\~} # 1.2.0-rc1 → 1.2.0~rc1, which sorts before 1.2.0
DIST=${DIST_DIR:-$ROOT/dist}
MAINTAINER=${DEB_MAINTAINER:-Tagsight maintainers <maintainers@tagsight.invalid>}
WORK=$ROOT/build/bin/linux-dist

for t in go wails npm dpkg-deb pkg-config; do
  command -v "$t" >/dev/null || die "$t not found (run scripts/setup.sh)"
done
CONVERT=$(command -v /usr/bin/convert || command -v convert || true)
[[ -n "$CONVERT" ]] || die "ImageMagick's convert not found (apt: imagemagick)"

deb_arch=$(dpkg --print-architecture)
case "$deb_arch" in
  amd64) ort_platform=linux-x64 ;;
  arm64) ort_platform=linux-arm64 ;;
  *) die "unsupported architecture $deb_arch" ;;
esac

# ---------------------------------------------------------------- ONNX Runtime
ort=$(scripts/fetch-ort.sh "$ort_platform" | tail -n1) || die "scripts/fetch-ort.sh $ort_platform failed"
ort_name=$(basename "$ort") # libonnxruntime.so.1.24.1
[[ -s "$ort" ]] || die "$ort is missing"

# ---------------------------------------------------------------- shared pieces
rm -rf "$WORK"
mkdir -p "$WORK/common" "$DIST"
rm -f "$DIST"/tagsight_*.deb "$DIST"/tagsight-*-linux-*.tar.gz

say "CLI: tagsight"
go build -trimpath -tags "$GOTAGS" -ldflags "-s -w -X main.version=$VERSION" -o "$WORK/common/tagsight" ./cmd/tagsight

for s in 256 512; do
  "$CONVERT" build/appicon.png -resize "${s}x${s}" -depth 8 "PNG32:$WORK/common/tagsight-$s.png"
done
cat >"$WORK/common/tagsight.desktop" <<EOF
[Desktop Entry]
Type=Application
Name=Tagsight
GenericName=Photo Tagger
Comment=Organise photos and files with tags, and find them by what they show
Exec=tagsight-desktop %f
Icon=tagsight
Terminal=false
Categories=Graphics;Photography;
Keywords=photo;tag;image;search;library;
StartupWMClass=tagsight-desktop
EOF
if command -v desktop-file-validate >/dev/null; then
  desktop-file-validate "$WORK/common/tagsight.desktop" || die "tagsight.desktop does not validate"
fi

# The highest glibc symbol version either binary needs → libc6 (>= …).
glibc_min() {
  objdump -T "$@" 2>/dev/null | grep -oE 'GLIBC_[0-9]+(\.[0-9]+)+' | sed 's/GLIBC_//' | sort -uV | tail -n1
}

# ---------------------------------------------------------------- one variant
# build_variant SUFFIX PKGCONFIG-NAME DEB-DEPENDENCY [WAILS-TAGS]
build_variant() {
  local suffix=$1 pc=$2 webkit_dep=$3 tags=${4:-}
  local name=tagsight-desktop-dist${suffix:+-$suffix} # not build/bin/tagsight-desktop: leave `make app`'s alone
  if ! pkg-config --exists "$pc"; then
    local msg="skipping the $pc variant: pkg-config does not find $pc (apt install lib$pc-dev${suffix:+, which Debian 12 and Ubuntu 22.04+ have})"
    [[ -n "${DIST_REQUIRE_ALL:-}" ]] && die "$msg"
    echo "dist-linux: $msg" >&2
    return 0
  fi
  say "desktop ($pc${tags:+, -tags $tags}): wails build"
  rm -f "build/bin/$name"
  local log=$WORK/wails-build${suffix:+-$suffix}.log
  wails build -ldflags "-X main.version=$VERSION" -trimpath -m -nosyncgomod -o "$name" -tags "${tags:+$tags }$GOTAGS" >"$log" 2>&1 ||
    { tail -n 40 "$log" >&2; die "wails build failed (log: $log)"; }
  [[ -s "build/bin/$name" ]] || die "wails produced no build/bin/$name"
  # Not `| grep -q`: grep would exit at the first match and, under pipefail,
  # objdump's SIGPIPE would fail the check at random.
  objdump -p "build/bin/$name" | grep "NEEDED.*lib${pc}\.so" >/dev/null ||
    die "build/bin/$name does not link lib$pc"

  local desktop=$WORK/$name
  mv -f "build/bin/$name" "$desktop"

  # ---- .deb
  local deb=tagsight_${DEB_VERSION}_${deb_arch}${suffix:+_$suffix}.deb
  local pkg=$WORK/deb${suffix:+-$suffix}
  install -d -m 0755 "$pkg/DEBIAN" "$pkg/usr/lib/tagsight" "$pkg/usr/bin" "$pkg/usr/share/applications" \
    "$pkg/usr/share/doc/tagsight" "$pkg/usr/share/icons/hicolor/256x256/apps" "$pkg/usr/share/icons/hicolor/512x512/apps"
  install -m 0755 "$desktop" "$pkg/usr/lib/tagsight/tagsight-desktop"
  install -m 0755 "$WORK/common/tagsight" "$pkg/usr/lib/tagsight/tagsight"
  install -m 0644 "$ort" "$pkg/usr/lib/tagsight/$ort_name"
  ln -s "$ort_name" "$pkg/usr/lib/tagsight/libonnxruntime.so.1"
  ln -s "$ort_name" "$pkg/usr/lib/tagsight/libonnxruntime.so"
  ln -s ../lib/tagsight/tagsight-desktop "$pkg/usr/bin/tagsight-desktop"
  ln -s ../lib/tagsight/tagsight "$pkg/usr/bin/tagsight"
  install -m 0644 "$WORK/common/tagsight.desktop" "$pkg/usr/share/applications/tagsight.desktop"
  install -m 0644 "$WORK/common/tagsight-256.png" "$pkg/usr/share/icons/hicolor/256x256/apps/tagsight.png"
  install -m 0644 "$WORK/common/tagsight-512.png" "$pkg/usr/share/icons/hicolor/512x512/apps/tagsight.png"
  cat >"$pkg/usr/share/doc/tagsight/copyright" <<EOF
Tagsight $VERSION, by the Tagsight maintainers.
/usr/lib/tagsight/$ort_name is ONNX Runtime (https://onnxruntime.ai),
Copyright (c) Microsoft Corporation, MIT License.
Install notes, GPU (CUDA) set-up: docs/INSTALL.md in the source tree.
EOF
  chmod 0644 "$pkg/usr/share/doc/tagsight/copyright"

  local libc
  libc=$(glibc_min "$desktop" "$WORK/common/tagsight")
  cat >"$pkg/DEBIAN/control" <<EOF
Package: tagsight
Version: $DEB_VERSION
Architecture: $deb_arch
Maintainer: $MAINTAINER
Installed-Size: $(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
Depends: libc6 (>= ${libc:-2.34}), libgtk-3-0, $webkit_dep, libturbojpeg0, libheif1, ffmpeg
Recommends: gstreamer1.0-libav, gstreamer1.0-plugins-good
Section: graphics
Priority: optional
Description: local-first photo tagger with AI search
 Tagsight organises photos and files with tags, and finds them by what they
 show with a CLIP model that runs on this machine (ONNX Runtime, bundled in
 /usr/lib/tagsight). Any folder is a library. Includes the desktop app
 (tagsight-desktop) and the command line (tagsight).
EOF
  (cd "$pkg" && find usr -type f -exec md5sum {} + | sort -k2) >"$pkg/DEBIAN/md5sums"
  chmod 0644 "$pkg/DEBIAN/control" "$pkg/DEBIAN/md5sums"
  dpkg-deb --root-owner-group -Zxz --build "$pkg" "$DIST/$deb" >/dev/null
  say "wrote $DIST/$deb ($(du -h "$DIST/$deb" | cut -f1))"

  # ---- tar.gz
  local top=tagsight-$VERSION-linux-$deb_arch${suffix:+-$suffix}
  local tdir=$WORK/tar/$top
  install -d "$tdir" "$tdir/share/applications" "$tdir/share/icons/hicolor/256x256/apps" "$tdir/share/icons/hicolor/512x512/apps"
  install -m 0755 "$desktop" "$tdir/tagsight-desktop"
  install -m 0755 "$WORK/common/tagsight" "$tdir/tagsight"
  install -m 0644 "$ort" "$tdir/$ort_name"
  ln -s "$ort_name" "$tdir/libonnxruntime.so.1"
  ln -s "$ort_name" "$tdir/libonnxruntime.so"
  install -m 0644 "$WORK/common/tagsight.desktop" "$tdir/share/applications/tagsight.desktop"
  install -m 0644 "$WORK/common/tagsight-256.png" "$tdir/share/icons/hicolor/256x256/apps/tagsight.png"
  install -m 0644 "$WORK/common/tagsight-512.png" "$tdir/share/icons/hicolor/512x512/apps/tagsight.png"
  cat >"$tdir/README.txt" <<EOF
Tagsight $VERSION for Linux ($deb_arch, $pc)

  ./tagsight-desktop       the desktop app (needs GTK 3, $webkit_dep, libturbojpeg0, libheif1)
  ./tagsight --help        the command line

Keep the files together: both programs load $ort_name (ONNX Runtime)
from their own folder, also when started through a symlink, e.g.
  ln -s "\$PWD/tagsight-desktop" "\$PWD/tagsight" ~/.local/bin/
  cp -r share/. ~/.local/share/       # menu entry and icons
TAGSIGHT_ORT_LIB=/path/to/libonnxruntime.so overrides the lookup.
NVIDIA GPUs (CUDA): see docs/INSTALL.md in the source tree.
EOF
  local tgz=$DIST/$top.tar.gz
  tar --owner=0 --group=0 --numeric-owner --sort=name -C "$WORK/tar" -czf "$tgz" "$top"
  say "wrote $tgz ($(du -h "$tgz" | cut -f1))"
}

build_variant "" webkit2gtk-4.0 libwebkit2gtk-4.0-37
build_variant webkit2_41 webkit2gtk-4.1 libwebkit2gtk-4.1-0 webkit2_41

ls "$DIST"/tagsight_"$DEB_VERSION"_"$deb_arch"*.deb >/dev/null 2>&1 ||
  die "no variant was built: install libwebkit2gtk-4.0-dev or libwebkit2gtk-4.1-dev"
