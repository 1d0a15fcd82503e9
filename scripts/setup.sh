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

# 2. kernel-lib: an incremental build with the project's own TypeScript (not tslab's 5.0).
node node_modules/typescript/bin/tsc -b kernel-lib

# 3. The Python venv, rebuilt when requirements.txt or the Python version changes.
PYTHON="${PYTHON:-python3}"
req_hash=$(printf '%s\n%s' "$(hash_of requirements.txt)" "$("$PYTHON" --version 2>&1)" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$VENV/.computropolis-requirements" 2>/dev/null)" != "$req_hash" ]; then
  say "creating the Jupyter environment in ${VENV#$ROOT/} (first time: a few minutes)"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
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
cmp -s jupyter-config/lab-overrides.json "$VENV/share/jupyter/lab/settings/overrides.json" ||
  cp jupyter-config/lab-overrides.json "$VENV/share/jupyter/lab/settings/overrides.json"
