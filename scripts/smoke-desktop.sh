#!/usr/bin/env bash
# Smoke test for the desktop window: runs build/bin/tagsight-desktop under Xvfb,
# waits for a window named "Tagsight", screenshots the whole screen, and fails
# when the window never shows or the screenshot is blank.
#
#   scripts/smoke-desktop.sh [OUT.png]      (default docs/screenshots/desktop-start.png)
#
# Env: BIN (default build/bin/tagsight-desktop), SMOKE_TIMEOUT (seconds, default 30),
# LIBRARY (a library folder the app opens at start), QUERY (typed into the search
# bar after Ctrl+F), EXPECT_PIXEL ("x,y,#rrggbb" the screenshot must show).
# Needs: xvfb-run, xauth, xdotool, ImageMagick (import, identify) — scripts/setup.sh installs them.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

if [[ "${1:-}" == "--inside-xvfb" ]]; then
  # Second stage: we are the X client under xvfb-run.
  out=$2 bin=$3 timeout=$4 log=$5
  "$bin" ${LIBRARY:+"$LIBRARY"} >"$log" 2>&1 &
  app=$!
  cleanup() {
    kill "$app" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$app" 2>/dev/null || return 0; sleep 0.2; done
    kill -9 "$app" 2>/dev/null || true
  }
  trap cleanup EXIT

  deadline=$((SECONDS + timeout))
  win=""
  while ((SECONDS < deadline)); do
    if ! kill -0 "$app" 2>/dev/null; then
      echo "smoke: the app exited before its window appeared" >&2
      exit 3
    fi
    win=$(xdotool search --onlyvisible --name '^Tagsight$' 2>/dev/null | head -n1 || true)
    [[ -n "$win" ]] && break
    sleep 0.5
  done
  if [[ -z "$win" ]]; then
    echo "smoke: no window named Tagsight within ${timeout}s" >&2
    exit 4
  fi
  echo "smoke: window $win appeared after ${SECONDS}s"

  # The window maps before WebKit paints the page: retake the screenshot until it
  # has some variety (a blank window is one or two colours) or time runs out.
  colours=0
  while :; do
    import -window root "$out"
    colours=$(identify -format '%k' "$out")
    ((colours >= 3)) && break
    if ((SECONDS >= deadline)); then
      echo "smoke: screenshot stayed blank ($colours colours): $out" >&2
      exit 5
    fi
    sleep 0.5
  done
  # pixel_dist X Y #RRGGBB: how far the screenshot's pixel is from the colour.
  pixel_dist() {
    local got
    got=$(convert "$out" -format "%[hex:p{$1,$2}]" info: | cut -c1-6)
    python3 -c "a=bytes.fromhex('$got'); b=bytes.fromhex('${3#\#}'); print(max(abs(x-y) for x,y in zip(a,b)))"
  }
  if [[ -n "${EXPECT_PIXEL:-}" ]]; then
    IFS=, read -r px py want <<<"$EXPECT_PIXEL"
    if [[ -n "${QUERY:-}" ]] && (($(pixel_dist "$px" "$py" "$want") <= 40)); then
      echo "smoke: pixel ($px,$py) already shows $want before the search: it proves nothing" >&2
      exit 6
    fi
  fi
  if [[ -n "${QUERY:-}" ]]; then
    # Search like a person: Ctrl+F focuses the search bar, then type.
    xdotool windowactivate --sync "$win" 2>/dev/null || xdotool windowfocus --sync "$win"
    xdotool key --window "$win" ctrl+f
    xdotool type --window "$win" --delay 40 "$QUERY"
  fi
  if [[ -n "${EXPECT_PIXEL:-}" ]]; then
    # EXPECT_PIXEL="x,y,#rrggbb": the screen must come to show that colour
    # there (e.g. the first grid cell after a colour search): look until it
    # does or time runs out.
    while :; do
      import -window root "$out"
      dist=$(pixel_dist "$px" "$py" "$want")
      ((dist <= 40)) && break
      if ((SECONDS >= deadline + 30)); then
        echo "smoke: pixel ($px,$py) never showed $want (off by $dist)" >&2
        exit 6
      fi
      sleep 0.2
    done
    echo "smoke: pixel ($px,$py) shows $want as expected"
  else
    import -window root "$out"
  fi
  colours=$(identify -format '%k' "$out")
  echo "smoke: screenshot $out ($colours colours) after ${SECONDS}s"
  exit 0
fi

out=${1:-docs/screenshots/desktop-start.png}
bin=${BIN:-build/bin/tagsight-desktop}
timeout=${SMOKE_TIMEOUT:-30}
cd "$ROOT"

for tool in xvfb-run xauth xdotool import identify; do
  command -v "$tool" >/dev/null || { echo "smoke: $tool not found; run scripts/setup.sh" >&2; exit 2; }
done
[[ -x "$bin" ]] || { echo "smoke: $bin not found; build it with wails build" >&2; exit 2; }

mkdir -p "$(dirname "$out")"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
log=$(mktemp "${TMPDIR:-/tmp}/tagsight-smoke.XXXXXX.log")

# The app keeps its recent libraries and settings in the user's config
# folder: a test run gets its own, so it never lands in the user's list.
config=$(mktemp -d "${TMPDIR:-/tmp}/tagsight-smoke-config.XXXXXX")
trap 'rm -rf "$config"' EXIT

rc=0
XDG_CONFIG_HOME=$config LIBRARY=${LIBRARY:-} QUERY=${QUERY:-} EXPECT_PIXEL=${EXPECT_PIXEL:-} \
  xvfb-run -a -s '-screen 0 1280x800x24' "$ROOT/scripts/smoke-desktop.sh" --inside-xvfb "$out" "$bin" "$timeout" "$log" || rc=$?
if ((rc != 0)); then
  echo "smoke: FAILED (exit $rc); app output:" >&2
  tail -n 40 "$log" >&2 || true
  exit "$rc"
fi
rm -f "$log"
echo "smoke: ok"
