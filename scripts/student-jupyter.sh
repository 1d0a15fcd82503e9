#!/usr/bin/env bash
# Runs a Jupyter command as students get it: nbgrader's teacher tools (Formgrader, the Create
# Assignment sidebar, Courses) are off, by jupyter-config/student/ (a labconfig page_config.json
# and a jupyter_server_config.d file) put first on JUPYTER_CONFIG_PATH. The student's own nbgrader
# tools stay: the assignment list (fetch, submit, feedback) and Validate.
# Used by `npm run lab -- --student`; on a hub, docs/classroom.md gives the system-wide commands.
export JUPYTER_CONFIG_PATH="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/jupyter-config/student${JUPYTER_CONFIG_PATH:+:$JUPYTER_CONFIG_PATH}"
exec "$@"
