#!/bin/sh
# Install trivia-bot into a virtual environment, as the container image and the
# systemd guide both do it (tests/deploy/test_image_install.py runs it too):
#
#   deploy/install.sh SOURCE_DIR VENV_DIR
#
# builds a wheel of the project in SOURCE_DIR (the bundled question bank goes
# inside it) and installs it, with its Discord, Slack and PostgreSQL extras, into the
# virtual environment VENV_DIR, which is created unless it exists, with the
# `python3` on PATH (3.11 or newer; PYTHON=/usr/bin/python3.11 picks another).
# Run it again on the same VENV_DIR to upgrade (stop the bot first).
# Afterwards VENV_DIR/bin/trivia-bot is the whole bot: the source directory is
# no longer needed, but the venv cannot be moved (its scripts name its path).
# EXTRAS=slack installs one platform only (the default: discord,slack,postgres);
# pip's own settings (PIP_INDEX_URL, PIP_NO_CACHE_DIR, ...) apply as usual.
set -eu

src=${1:?usage: install.sh SOURCE_DIR VENV_DIR}
venv=${2:?usage: install.sh SOURCE_DIR VENV_DIR}
extras=${EXTRAS-discord,slack,postgres}
python=${PYTHON:-python3}

wheels=$(mktemp -d)
trap 'rm -rf "$wheels"' EXIT

"$python" -m venv "$venv"
"$venv/bin/python" -m pip wheel --quiet --no-deps --wheel-dir "$wheels" "$src"
set -- "$wheels"/trivia_bot-*.whl
if [ -n "$extras" ]; then
    "$venv/bin/python" -m pip install --quiet "$1[$extras]"
fi
# The bot itself again, even when its version number did not change since the
# last install (pip would keep the old files otherwise).
"$venv/bin/python" -m pip install --quiet --force-reinstall --no-deps "$1"
"$venv/bin/trivia-bot" --version
