#!/usr/bin/env bash
# Regenerates docs/screenshots/: every tab of the desktop app at 1600x1000 and 1024x600,
# rendered offscreen from the project's own data only (the drawn demo assets; no sample
# photo, nothing derived from one). Needs a release build (scripts/test.sh makes one).
set -euo pipefail
cd "$(dirname "$0")/.."
app=build/release/app/tierscope
tryon=build/release/app/tierscope-tryon
[ -x "$app" ] && [ -x "$tryon" ] || { echo "screenshots: build first (cmake --build --preset release)" >&2; exit 1; }
demo=$(mktemp -d)
trap 'rm -rf "$demo"' EXIT
"$tryon" --write-demo "$demo" >/dev/null
mkdir -p docs/screenshots
export QT_QPA_PLATFORM=offscreen
for size in 1600x1000 1024x600; do
  "$app" --window-size "$size" --l2-dir "$demo/l2-dash-$size" --screenshot "docs/screenshots/dashboard-$size.png" --log-level warn
  "$app" --window-size "$size" --l2-dir off --no-workload --tab classification --classify "$demo" \
         --screenshot "docs/screenshots/classification-$size.png" --log-level warn
  "$app" --window-size "$size" --l2-dir off --no-workload --tab tryon --tryon demo \
         --screenshot "docs/screenshots/tryon-$size.png" --log-level warn
  # The monitor's tabs over the demo load (each on a fresh L2, so what is shown is this run's).
  for tab in capacity whatif browser alerts logs; do
    "$app" --window-size "$size" --l2-dir "$demo/l2-$tab-$size" --tab "$tab" \
           --screenshot "docs/screenshots/$tab-$size.png" --log-level info >/dev/null 2>&1
  done
done
ls -l docs/screenshots
