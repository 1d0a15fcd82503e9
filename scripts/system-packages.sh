#!/usr/bin/env bash
# The Debian packages a task needs from the machine (everything else the project installs itself).
#   scripts/system-packages.sh lab    Python's venv module
#   scripts/system-packages.sh test   the same, plus Chromium (browser tests), bubblewrap (the grading sandbox),
#                                     poppler-utils (printed pages counted and read) and the distribution's
#                                     Python with venv (the hub test's environments)
# As root with apt-get (CI, a fresh VM, a container) they are installed; otherwise the script stops
# at once with the exact command to run, instead of a test failing minutes later.
set -euo pipefail
need=()
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
if [ "${1:-}" = test ]; then
  chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
  [ -x "$chromium" ] || need+=(chromium)
  command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)  # tests/grading.test.ts grades in bubblewrap
  command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)  # tests/handouts.test.ts reads printed pages (pdfinfo, pdftotext)
  # tests/hub.test.ts: the hub's environments use the distribution's Python, which every user may run
  { [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import venv, ensurepip' >/dev/null 2>&1; } ||
    [[ " ${need[*]-} " == *" python3-venv "* ]] || need+=(python3-venv)
fi
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "[setup] installing Debian packages: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  exit 0
fi
{
  echo "[setup] missing from this machine: ${need[*]}"
  echo "  install them with:  sudo apt-get install -y --no-install-recommends ${need[*]}"
  case " ${need[*]} " in *" chromium "*)
    echo "  (or point CHROMIUM_PATH at an existing Chromium or Chrome binary; the browser checks need one)";; esac
} >&2
exit 2
