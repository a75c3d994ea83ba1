#!/bin/sh
# What a user of the published package gets: build the wheel, install it in a fresh venv outside
# the repository, and run `init`, `render`, `send --dry-run`, `config` and `preview` from it (the
# preview on a free port, fetched once, then stopped). Used by `make wheel-check` and .ci/run.
set -eu
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/briefgen-wheel.XXXXXX")
PREVIEW_PID=""
cleanup() { [ -n "$PREVIEW_PID" ] && kill "$PREVIEW_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT INT TERM

"$PYTHON" -m venv "$WORK/build-venv"
"$WORK/build-venv/bin/python" -m pip install --quiet build
# No warnings wanted: the build's own output is kept and checked.
"$WORK/build-venv/bin/python" -m build --wheel --outdir "$WORK/dist" . > "$WORK/build.log" 2>&1 \
  || { cat "$WORK/build.log"; exit 1; }
if grep -i "warning" "$WORK/build.log"; then echo "the wheel build printed warnings"; exit 1; fi
WHEEL=$(ls "$WORK"/dist/briefgen-*.whl)
echo "built $(basename "$WHEEL") ($(du -k "$WHEEL" | cut -f1) KB)"

"$PYTHON" -m venv "$WORK/venv"
"$WORK/venv/bin/python" -m pip install --quiet "$WHEEL"
BRIEFGEN="$WORK/venv/bin/briefgen"
cd "$WORK"  # outside the repository: nothing of the checkout can be found from here
"$BRIEFGEN" --version
"$BRIEFGEN" init desk
cd desk
"$BRIEFGEN" config
"$BRIEFGEN" validate --strict specs
"$BRIEFGEN" render
test -s output/example-2025q2/brief.pdf && test -s output/example-2025q2/brief.html
"$BRIEFGEN" send --dry-run | tee "$WORK/send.log"
grep -q "is current for these options: sent as it is" "$WORK/send.log"
test -s output/example-2025q2/email.eml
if "$BRIEFGEN" render --dask tcp://127.0.0.1:1 specs > "$WORK/dask.log" 2>&1; then
  echo "render --dask without the [dask] extra should fail"; exit 1
fi
grep -q "pip install 'briefgen\[dask\]'" "$WORK/dask.log" || { cat "$WORK/dask.log"; exit 1; }

"$BRIEFGEN" preview specs/example-2025q2.yaml --port 0 --no-open > "$WORK/preview.log" 2>&1 &
PREVIEW_PID=$!
URL=""
for _ in $(seq 1 100); do
  URL=$(sed -n 's/^previewing .* at \(http[^ ]*\) .*/\1/p' "$WORK/preview.log")
  [ -n "$URL" ] && break
  sleep 0.2
done
[ -n "$URL" ] || { cat "$WORK/preview.log"; exit 1; }
"$WORK/venv/bin/python" - "$URL" <<'PY'
import sys, time, urllib.request
for _ in range(100):
    try:
        page = urllib.request.urlopen(sys.argv[1], timeout=10).read().decode()
    except OSError:
        time.sleep(0.2)
        continue
    if "Example Holdings" in page:
        print(f"preview served {len(page)} characters at {sys.argv[1]}")
        break
    time.sleep(0.2)
else:
    sys.exit("the preview never served the note")
PY
kill "$PREVIEW_PID"; wait "$PREVIEW_PID" 2>/dev/null || true; PREVIEW_PID=""
echo "wheel check passed"
