# Sourced by the other scripts: project paths and a Jupyter that keeps everything in the project.
# Nothing is written to the user's home: config, data, runtime and lab settings live under .jupyter/.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${COMPUTROPOLIS_VENV:-$ROOT/.venv}"
# Shared servers (Binder, JupyterHub): COMPUTROPOLIS_PYTHON_ENV names an existing Python environment
# (the prefix the Jupyter server runs from, e.g. $NB_PYTHON_PREFIX or /opt/tljh/user). Setup installs
# requirements.txt and the tslab kernelspec into it for every user, and never creates or deletes it.
VENV_SHARED=0
if [ -n "${COMPUTROPOLIS_PYTHON_ENV:-}" ]; then
  VENV="$(cd "$COMPUTROPOLIS_PYTHON_ENV" 2>/dev/null && pwd || echo "$COMPUTROPOLIS_PYTHON_ENV")"; VENV_SHARED=1
fi
export ROOT VENV VENV_SHARED
export PATH="$VENV/bin:$ROOT/node_modules/.bin:$PATH"
export JUPYTER_CONFIG_DIR="$ROOT/jupyter-config"
export JUPYTER_DATA_DIR="$ROOT/.jupyter/data"
export JUPYTER_RUNTIME_DIR="$ROOT/.jupyter/runtime"
export JUPYTERLAB_SETTINGS_DIR="$ROOT/.jupyter/lab/user-settings"
export JUPYTERLAB_WORKSPACES_DIR="$ROOT/.jupyter/lab/workspaces"
export JUPYTER_PLATFORM_DIRS=1
export PYDEVD_DISABLE_FILE_VALIDATION=1
