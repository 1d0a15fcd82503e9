#!/usr/bin/env bash
# Idempotent setup: npm packages, the kernel-lib build, the project's Python/Jupyter venv and the
# tslab kernelspec. Each step is skipped when its inputs have not changed, so a repeat run takes
# seconds (a first run installs JupyterLab and takes a few minutes).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
hash_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

# 1. npm packages, reinstalled when package-lock.json changes.
lock_hash=$(hash_of package-lock.json)
if [ "$(cat node_modules/.computropolis-lock 2>/dev/null)" != "$lock_hash" ]; then
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > node_modules/.computropolis-lock
fi

# 2. kernel-lib: an incremental build with the project's own TypeScript (not tslab's 5.0), and
#    its WebAssembly core (AssemblyScript, kernel-lib/assembly/) when that source changed.
node node_modules/typescript/bin/tsc -b kernel-lib
node kernel-lib/assembly/build.js

# 3. The Python venv, rebuilt when requirements.txt or the Python version changes.
#    With COMPUTROPOLIS_PYTHON_ENV (scripts/env.sh) the packages go into that existing environment.
PYTHON="${PYTHON:-python3}"
if [ "$VENV_SHARED" = 1 ]; then
  PYTHON="$VENV/bin/python"
  "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || {
    echo "[setup] COMPUTROPOLIS_PYTHON_ENV=$VENV: no Python >= 3.11 at $PYTHON; allowed: the prefix of an existing Python 3.11+ environment that runs the Jupyter server (e.g. \$NB_PYTHON_PREFIX, /opt/tljh/user)" >&2
    exit 2; }
fi
req_hash=$(printf '%s\n%s' "$(hash_of requirements.txt)" "$("$PYTHON" --version 2>&1)" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$VENV/.computropolis-requirements" 2>/dev/null)" != "$req_hash" ]; then
  if [ "$VENV_SHARED" = 1 ]; then
    say "installing the pinned Jupyter packages into $VENV"
  else
    say "creating the Jupyter environment in ${VENV#$ROOT/} (first time: a few minutes)"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
  fi
  # (grep drops the noise of this machine's pip find-links settings, keeps real errors)
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.txt 2> >(grep -v "^WARNING: Location 'file:" >&2)
  echo "$req_hash" > "$VENV/.computropolis-requirements"
fi

# 4. The tslab kernelspec, in the venv only (--sys-prefix), pointing at this project's tslab.
# The kernel runs this project's tslab with the same node that ran setup (absolute paths).
spec="$VENV/share/jupyter/kernels/tslab/kernel.json"
node_bin="$(command -v node)"
if ! { grep -qF "\"$node_bin\"" "$spec" && grep -qF "\"$ROOT/node_modules/tslab/bin/tslab\"" "$spec"; } 2>/dev/null; then
  say "registering the tslab kernel in the venv"
  node node_modules/tslab/bin/tslab install --python="$VENV/bin/python" --sys-prefix \
    --binary="$ROOT/node_modules/.bin/tslab" >/dev/null
  node scripts/kernelspec.mjs "$spec" "$node_bin" "$ROOT/node_modules/tslab/bin/tslab"
fi
# 5. JupyterLab defaults for the classroom: no news/update checks (they need the network).
mkdir -p "$VENV/share/jupyter/lab/settings" "$JUPYTER_DATA_DIR" "$JUPYTER_RUNTIME_DIR"
overrides="$VENV/share/jupyter/lab/settings/overrides.json"
# (in a shared environment, an overrides.json that setup did not write is the admin's: left as it is)
if [ "$VENV_SHARED" = 0 ] || [ ! -f "$overrides" ] ||
   [ "$(cat "$VENV/.computropolis-overrides" 2>/dev/null)" = "$(hash_of "$overrides")" ]; then
  cmp -s jupyter-config/lab-overrides.json "$overrides" || cp jupyter-config/lab-overrides.json "$overrides"
  [ "$VENV_SHARED" = 0 ] || hash_of "$overrides" > "$VENV/.computropolis-overrides"
fi

# 6. The JupyterLab extension (lab-extension/: live playgrounds, callouts from cell tags), prebuilt and
#    installed into the environment's share/jupyter/labextensions, so every JupyterLab run from it
#    (npm run lab, Binder, a hub's shared prefix) loads it; nothing is fetched at run time. Rebuilt when
#    its sources change: its own, the kernel-lib and tools/handouts code it bundles, tools/cells.py.
labext="$VENV/share/jupyter/labextensions/computropolis-lab"
labext_hash=$( { find lab-extension/src lab-extension/style kernel-lib/src tools/handouts -type f \
                   \( -name '*.ts' -o -name '*.css' \) | LC_ALL=C sort | xargs sha256sum
                 sha256sum lab-extension/package.json lab-extension/build.mjs lab-extension/webpack.config.js \
                   tools/cells.py package-lock.json
                 "$VENV/bin/python" -c 'import jupyterlab; print(jupyterlab.__version__)'; } | sha256sum | cut -d' ' -f1)
if [ "$(cat "$labext/.computropolis-build" 2>/dev/null)" != "$labext_hash" ]; then
  say "building the JupyterLab extension (lab-extension/)"
  node lab-extension/build.mjs "$VENV/bin/python" >"$ROOT/.jupyter/lab-extension-build.log" 2>&1 || {
    cat "$ROOT/.jupyter/lab-extension-build.log" >&2; echo "[setup] building lab-extension/ failed (log above)" >&2; exit 1; }
  rm -rf "$labext"
  mkdir -p "$(dirname "$labext")"
  cp -R lab-extension/labextension "$labext"
  echo "$labext_hash" > "$labext/.computropolis-build"
fi

# 7. nbgrader's Validate (`nbgrader validate`, JupyterLab's Validate button) for tslab notebooks: an
#    nbgrader_config.py in the environment's etc/jupyter, which nbgrader reads wherever it runs
#    (tools/grading/tslab_preprocessors.py, configure_validate). One that setup did not write is kept.
nbcfg="$VENV/etc/jupyter/nbgrader_config.py"
nbcfg_marker="# written by Computropolis scripts/setup.sh"
nbcfg_text="$nbcfg_marker: nbgrader Validate for TypeScript (tslab) notebooks
import sys
sys.path.insert(0, $(printf '%s' "$ROOT/tools/grading" | "$VENV/bin/python" -c 'import json,sys; print(json.dumps(sys.stdin.read()))'))
from tslab_preprocessors import configure_validate
configure_validate(get_config())"
if [ ! -f "$nbcfg" ] || head -1 "$nbcfg" | grep -qF "$nbcfg_marker"; then
  mkdir -p "$(dirname "$nbcfg")"
  [ "$(cat "$nbcfg" 2>/dev/null)" = "$nbcfg_text" ] || printf '%s\n' "$nbcfg_text" > "$nbcfg"
fi
