#!/bin/sh
# WeasyPrint needs Pango from the OS; libharfbuzz-subset makes every PDF ~0.3 s faster.
# This only checks and explains: installing OS packages is left to the user (or .ci/run).
missing=""
have() { ldconfig -p 2>/dev/null | grep -q "$1"; }
have libpango-1.0 || missing="$missing libpango-1.0-0 libpangoft2-1.0-0"
if [ -n "$missing" ]; then
  echo "briefgen: WeasyPrint needs Pango. Install it with: sudo apt-get install$missing" >&2
  exit 1
fi
if ! have libharfbuzz-subset; then
  echo "briefgen: note: libharfbuzz-subset0 is missing; every PDF will take ~0.3 s longer." >&2
  echo "          Install it with: sudo apt-get install libharfbuzz-subset0" >&2
fi
exit 0
