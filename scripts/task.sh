#!/usr/bin/env bash
# Entry point of the npm scripts: set up what is missing, then run the task.
#   setup            install and build only
#   lab  [args]      JupyterLab on notebooks/, the teacher's edition (kernel-lib rebuilt on save while it runs)
#   lab --student [--fresh] [args]   JupyterLab on the student edition, built into build/student-edition/
#   publish-student [args]   the student edition as a git branch for Binder and hubs (tools/publish_student.py)
#   test [args]      every test: kernel-lib unit suites, notebooks, browser checks
#   handouts [args]  execute the lessons and write HTML handouts (tools/handouts/build.py)
#   slides [args]    execute the lessons and write offline reveal.js slideshows (tools/slides/build.py)
#   routes [args]    the timed routes (50/90 min) as notebooks for JupyterLab (tools/routes.py)
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
    # --student (and --fresh) are ours; every other argument goes to JupyterLab.
    student=0; fresh=(); args=()
    for a in "$@"; do
      case "$a" in --student) student=1 ;; --fresh) fresh=(--force) ;; *) args+=("$a") ;; esac
    done
    serve="$ROOT/notebooks"
    launcher=()
    if [ "$student" = 1 ]; then
      launcher=(bash "$ROOT/scripts/student-jupyter.sh") # no Formgrader or Create Assignment for students
      # Built fresh from notebooks/ each time (tools/student_edition.py); a notebook changed in
      # that folder since the last build (someone's work) stops it unless --fresh.
      serve="$ROOT/build/student-edition"
      python "$ROOT/tools/student_edition.py" --out "$serve" ${fresh[@]+"${fresh[@]}"}
      bold=$'\e[1m'; off=$'\e[0m'
      echo "${bold}[lab] STUDENT EDITION${off} (build/student-edition/, rebuilt from notebooks/ at every start):"
      echo "      no solutions, hidden tests, teacher notes or nbgrader teacher tools; what students get on Binder, a hub and from npm run assign."
    else
      bold=$'\e[1m'; off=$'\e[0m'
      echo "${bold}[lab] TEACHER'S EDITION${off} (notebooks/): exercise solutions, hidden tests and teacher notes included."
      echo "      What students get: npm run lab -- --student (and for Binder and hubs: npm run publish-student)."
    fi
    cd "$serve"
    extra=()
    [ "$(id -u)" = 0 ] && extra+=(--allow-root)
    # Serve that folder unless the caller names another one (e.g. a grading course folder).
    case " ${args[*]-} " in *"--ServerApp.root_dir"*|*"--notebook-dir"*) ;; *) extra+=(--ServerApp.root_dir="$serve") ;; esac
    ${launcher[@]+"${launcher[@]}"} jupyter lab "${extra[@]}" ${args[@]+"${args[@]}"}
    ;;
  test) cd "$ROOT" && exec node_modules/.bin/vitest run "$@" ;;
  tidy) cd "$ROOT" && exec python tools/tidy.py "$@" ;;               # notebooks canonical (or --check)
  handouts) cd "$ROOT" && exec python tools/handouts/build.py "$@" ;;
  slides) cd "$ROOT" && exec python tools/slides/build.py "$@" ;;       # reveal.js decks into build/slides/
  routes) cd "$ROOT" && exec python tools/routes.py "$@" ;;             # route notebooks into build/routes/
  assign) cd "$ROOT" && exec python tools/grading/assign.py "$@" ;;       # into build/grading/release/
  publish-student) cd "$ROOT" && exec python tools/publish_student.py "$@" ;;  # a git branch, no solutions
  autograde) cd "$ROOT" && exec python tools/grading/autograde.py "$@" ;; # into build/grading/grades/
  *) echo "usage: scripts/task.sh setup|lab|test|tidy|handouts|slides|routes|assign|publish-student|autograde [args]" >&2; exit 2 ;;
esac
