#!/usr/bin/env bash
# Makes a Jupyter installation the students': nbgrader's teacher tools (Formgrader, Courses, the
# Create Assignment sidebar) off, the very plugins and server extensions that jupyter-config/student/
# turns off for `npm run lab -- --student`, here written into the installation's own prefix
# (sys_prefix). binder/postBuild runs it: the images built from binder/ (Binder, Zero to JupyterHub)
# serve students, and the teacher grades with `npm run autograde`, which needs none of these.
# Usage: scripts/student-image.sh PREFIX   (e.g. $NB_PYTHON_PREFIX); quiet, and safe to run again.
set -euo pipefail
prefix="${1:?usage: scripts/student-image.sh PREFIX (the Python prefix whose Jupyter students use)}"
student="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/jupyter-config/student"
read -r -a plugins <<<"$("$prefix/bin/python" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(" ".join(k for k, v in d["disabledExtensions"].items() if v))' "$student/labconfig/page_config.json")"
read -r -a servers <<<"$("$prefix/bin/python" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(" ".join(k for k, v in d["ServerApp"]["jpserver_extensions"].items() if not v))' "$student/jupyter_server_config.d/nbgrader-student.json")"
"$prefix/bin/jupyter" labextension disable --level=sys_prefix "${plugins[@]}" >/dev/null 2>&1
"$prefix/bin/jupyter" server extension disable --sys-prefix "${servers[@]}" >/dev/null 2>&1
