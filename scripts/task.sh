#!/usr/bin/env bash
# Entry point of the npm scripts: set up what is missing, then run the task.
#   setup            install and build only
#   lab  [args]      JupyterLab on notebooks/ (kernel-lib rebuilt on save while it runs)
#   test [args]      every test: kernel-lib unit suites, notebooks, browser checks
#   handouts [args]  execute the lessons and write HTML handouts (tools/handouts/build.py)
#   slides [args]    execute the lessons and write offline reveal.js slideshows (tools/slides/build.py)
#   assign <lesson>  student version of a lesson's exercises with nbgrader (tools/grading/assign.py)
#   tidy [--check]   notebooks canonical: no outputs, stable ids, generated navigation (tools/tidy.py)
#   autograde <dir>  grade <dir>/<student>/<lesson>.ipynb: scores CSV + feedback (tools/grading/autograde.py)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
task="${1:-}"; shift || true
# Debian packages first (the browser checks need Chromium; the unit suite alone does not).
case "$task $*" in
  "test "*"--project unit"*) bash "$ROOT/scripts/system-packages.sh" lab ;;
  "test "*) bash "$ROOT/scripts/system-packages.sh" test ;;
  *) bash "$ROOT/scripts/system-packages.sh" lab ;;
esac
bash "$ROOT/scripts/setup.sh"
case "$task" in
  setup) ;;
  lab)
    # Rebuild kernel-lib whenever its source changes; restart the kernel to pick it up.
    node "$ROOT/node_modules/typescript/bin/tsc" -b kernel-lib --watch --preserveWatchOutput >"$ROOT/.jupyter/tsc-watch.log" 2>&1 &
    watch_pid=$!
    trap 'kill $watch_pid 2>/dev/null || true' EXIT
    cd "$ROOT/notebooks"
    extra=()
    [ "$(id -u)" = 0 ] && extra+=(--allow-root)
    # Serve notebooks/ unless the caller names another folder (e.g. a grading course folder).
    case " $* " in *"--ServerApp.root_dir"*|*"--notebook-dir"*) ;; *) extra+=(--ServerApp.root_dir="$ROOT/notebooks") ;; esac
    jupyter lab "${extra[@]}" "$@"
    ;;
  test) cd "$ROOT" && exec node_modules/.bin/vitest run "$@" ;;
  tidy) cd "$ROOT" && exec python tools/tidy.py "$@" ;;               # notebooks canonical (or --check)
  handouts) cd "$ROOT" && exec python tools/handouts/build.py "$@" ;;
  slides) cd "$ROOT" && exec python tools/slides/build.py "$@" ;;       # reveal.js decks into build/slides/  # HTML handouts into build/handouts/
  assign) cd "$ROOT" && exec python tools/grading/assign.py "$@" ;;       # into build/grading/release/
  autograde) cd "$ROOT" && exec python tools/grading/autograde.py "$@" ;; # into build/grading/grades/
  *) echo "usage: scripts/task.sh setup|lab|test|tidy|handouts|slides|assign|autograde [args]" >&2; exit 2 ;;
esac
