#!/usr/bin/env bash
# Runs repo2docker (pinned below) from a small venv of its own under build/, created on first use:
# repo2docker is a build tool for Binder and JupyterHub images, not part of the classroom's Jupyter
# environment (requirements.txt), so it is kept out of .venv. Any arguments go to repo2docker, e.g.
#   bash tools/classroom/repo2docker.sh --no-build --debug .          # print the Dockerfile only
#   bash tools/classroom/repo2docker.sh --no-run --image-name NAME .  # build an image (needs Docker)
# For a Zero-to-JupyterHub image add: --target-repo-dir /srv/computropolis
#   --appendix "$(cat tools/classroom/hub-image.appendix)"   (see docs/classroom.md)
set -euo pipefail
REPO2DOCKER_VERSION=2026.4.0
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tools="$ROOT/build/repo2docker-$REPO2DOCKER_VERSION"
if [ ! -x "$tools/bin/repo2docker" ]; then
  echo "[repo2docker] installing jupyter-repo2docker==$REPO2DOCKER_VERSION into ${tools#$ROOT/}" >&2
  rm -rf "$tools"
  python3 -m venv "$tools"
  "$tools/bin/python" -m pip install --quiet --disable-pip-version-check "jupyter-repo2docker==$REPO2DOCKER_VERSION" \
    2> >(grep -v "^WARNING: Location 'file:" >&2)
fi
exec "$tools/bin/repo2docker" "$@"
