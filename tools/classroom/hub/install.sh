#!/usr/bin/env bash
# A JupyterHub laid out as The Littlest JupyterHub lays it out, under PREFIX, with the kit installed
# exactly as docs/classroom.md installs it on TLJH. Used by tests/hub.test.ts; run as root.
#
#   bash tools/classroom/hub/install.sh PREFIX
#
#   PREFIX/hub/                 the hub's environment (TLJH: /opt/tljh/hub): JupyterHub 5, the idle culler
#   PREFIX/user/                the users' environment (TLJH: /opt/tljh/user): jupyterhub-singleuser and
#                               nbgitpuller as TLJH has them, then the kit's setup.sh (pinned Jupyter packages,
#                               the tslab kernel, the lab extension)
#   PREFIX/remote/computropolis  stands in for the GitHub repository (a bare repository): the student edition of this project's
#                               last commit (npm run publish-student, in a clone: this repository's refs stay)
#   PREFIX/opt/computropolis    the kit, cloned from it with --branch student-edition --single-branch
#   PREFIX/home/                the users' home folders, with the node_modules link of the guide
#   PREFIX/exchange/            nbgrader's exchange (TLJH: /srv/nbgrader/exchange), world-writable as nbgrader says
#
# Every step is skipped when its inputs are unchanged (a first run takes a few minutes, then seconds),
# like setup.sh itself: updating the kit is the guide's `git pull` + setup.sh.
set -euo pipefail
umask 022
PREFIX="${1:?usage: install.sh PREFIX}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT="$(cd "$HERE/../../.." && pwd)"
# The environments' Python must be one every user may run, as TLJH's own is: the distribution's, not a
# Python under root's home (pyenv in /root, mode 0700, is what this machine's `python3` is).
PYTHON="${COMPUTROPOLIS_HUB_PYTHON:-/usr/bin/python3}"
say() { printf '[hub-install] %s\n' "$*"; }
hash_of() { cat "$@" | sha256sum | cut -d' ' -f1; }
pip_quiet() { "$@" 2> >(grep -v "^WARNING: Location 'file:" >&2); }
mkdir -p "$PREFIX"
PREFIX="$(cd "$PREFIX" && pwd)"

# The users' servers run as the users: every folder from / down to the kit must let them through.
d="$PREFIX"
while [ "$d" != / ]; do
  [ "$(( $(stat -c '%a' "$d") % 10 & 1 ))" = 1 ] || {
    echo "[hub-install] $d is not searchable by other users (mode $(stat -c '%a' "$d")); the hub's users could not reach $PREFIX. Allowed: a PREFIX whose every parent folder has o+x (e.g. under /opt or /srv)." >&2; exit 2; }
  d="$(dirname "$d")"
done

real="$(readlink -f "$(command -v "$PYTHON")")"
runuser -u nobody -- "$real" -c 'import venv, ensurepip' 2>/dev/null || {
  echo "[hub-install] $PYTHON ($real) cannot be run by other users, or has no venv module; allowed: a Python 3.11+ every user can run (COMPUTROPOLIS_HUB_PYTHON), e.g. Debian's /usr/bin/python3 with python3-venv" >&2; exit 2; }

# 1. The hub's environment.
key=$(printf '%s\n%s' "$(hash_of "$HERE/requirements-hub.txt")" "$("$PYTHON" --version 2>&1)" | sha256sum)
if [ "$(cat "$PREFIX/hub/.installed" 2>/dev/null)" != "$key" ]; then
  say "JupyterHub's environment: $PREFIX/hub"
  rm -rf "$PREFIX/hub"; "$PYTHON" -m venv "$PREFIX/hub"
  pip_quiet "$PREFIX/hub/bin/python" -m pip install --quiet --disable-pip-version-check -r "$HERE/requirements-hub.txt"
  echo "$key" > "$PREFIX/hub/.installed"
fi

# 2. The users' environment as TLJH makes it (setup.sh adds the kit's pins in step 4).
key=$(printf '%s\n%s\n%s' "$(hash_of "$HERE/requirements-user-base.txt")" "$(hash_of "$PROJECT/requirements.txt")" \
      "$("$PYTHON" --version 2>&1)" | sha256sum)
if [ "$(cat "$PREFIX/user/.installed" 2>/dev/null)" != "$key" ]; then
  say "the users' environment: $PREFIX/user"
  rm -rf "$PREFIX/user"; "$PYTHON" -m venv "$PREFIX/user"
  # Debian 12's Python is 3.11.2 and a few of the kit's pins declare 3.11.5 or newer (soupsieve): they are
  # installed anyway here, so that setup.sh finds every pin satisfied. TLJH 2 brings its own Python 3.12.
  pip_quiet "$PREFIX/user/bin/python" -m pip install --quiet --disable-pip-version-check --ignore-requires-python \
    -r "$HERE/requirements-user-base.txt" -r "$PROJECT/requirements.txt"
  echo "$key" > "$PREFIX/user/.installed"
fi

# 3. The student edition, published from a clone of this project's last commit, into a bare repository
#    that stands in for the kit's GitHub repository.
scratch="$(mktemp -d)"; trap 'rm -rf "$scratch"' EXIT
git clone -q "$PROJECT" "$scratch/teacher"
[ -d "$PREFIX/remote/computropolis" ] || git init -q --bare "$PREFIX/remote/computropolis"
# Students' git (nbgitpuller) reads that repository, which root owns; git refuses another user's repository
# unless the system config marks it safe (the hub sets GIT_CONFIG_SYSTEM to this file). Pulling from GitHub
# needs none of this.
printf '[safe]\n\tdirectory = %s\n' "$PREFIX/remote/computropolis" > "$PREFIX/gitconfig"
# Publishing again adds a commit on top of what students already pulled, as a teacher's second publish does.
if git -C "$PREFIX/remote/computropolis" rev-parse -q --verify refs/heads/student-edition >/dev/null; then
  git -C "$scratch/teacher" fetch -q "$PREFIX/remote/computropolis" student-edition:student-edition
fi
python "$scratch/teacher/tools/publish_student.py" >/dev/null
git -C "$PREFIX/remote/computropolis" fetch -q --force "$scratch/teacher" student-edition:student-edition
git -C "$PREFIX/remote/computropolis" symbolic-ref HEAD refs/heads/student-edition

# 4. The guide's TLJH install, step 2: clone the student edition, setup.sh into the users' environment.
if [ -d "$PREFIX/opt/computropolis/.git" ]; then
  git -C "$PREFIX/opt/computropolis" remote set-url origin "file://$PREFIX/remote/computropolis"
  # the guide's `git pull`; a reset, because a removed PREFIX/remote gets a new history when published again
  git -C "$PREFIX/opt/computropolis" fetch -q origin student-edition
  git -C "$PREFIX/opt/computropolis" reset -q --hard FETCH_HEAD
else
  mkdir -p "$PREFIX/opt"
  git clone -q --branch student-edition --single-branch "file://$PREFIX/remote/computropolis" "$PREFIX/opt/computropolis"
fi
say "the kit's setup.sh into the users' environment"
(cd "$PREFIX/opt/computropolis" && COMPUTROPOLIS_PYTHON_ENV="$PREFIX/user" bash scripts/setup.sh)
mkdir -p "$PREFIX/home"
ln -sfn "$PREFIX/opt/computropolis/node_modules" "$PREFIX/home/node_modules"

# 5. The guide's kernel culling (step 4) and nbgrader's exchange for the students' side. On TLJH the
#    exchange is nbgrader's default /srv/nbgrader/exchange and needs no setting; here it is under PREFIX.
etc="$PREFIX/user/etc/jupyter"
mkdir -p "$etc/jupyter_server_config.d" "$PREFIX/exchange"
echo '{"MappingKernelManager": {"cull_idle_timeout": 1200, "cull_interval": 120}}' \
  > "$etc/jupyter_server_config.d/computropolis-culling.json"
chmod ugo+rw "$PREFIX/exchange"
cat > "$etc/nbgrader_config.py" <<EOF
# Students' nbgrader (fetch, submit, the Assignments tab): where the course's exchange is.
c = get_config()
c.Exchange.root = "$PREFIX/exchange"
EOF
say "ready: $PREFIX"
