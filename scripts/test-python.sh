#!/usr/bin/env bash
# Builds the Python bindings (python/) into a virtual environment and runs their tests,
# the Spark one included. Creates .venv at the repository root on first use and
# installs python/requirements-dev.txt into it (reinstalled when that file changes).
# Called by scripts/test.sh; runs on its own too.
#
# KOCRANK_VENV       the virtual environment (default: .venv at the repository root)
# KOCRANK_PYTHON     the interpreter that creates it (default: python3; needs >= 3.9)
# KOCRANK_PYTEST_TIMEOUT  seconds before pytest is stopped (default 1200)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kocrank-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
step() { printf '\n== %s (%s)\n' "$1" "$(date +%H:%M:%S)"; }

venv="${KOCRANK_VENV:-$root/.venv}"
python="${KOCRANK_PYTHON:-python3}"

if ! command -v "$python" >/dev/null; then
  echo "$python is missing: the Python bindings need Python >= 3.9 (apt-get install python3 python3-venv)" >&2
  exit 2
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 9))'; then
  echo "$python is $("$python" --version 2>&1); the Python bindings need Python >= 3.9" >&2
  exit 2
fi
if ! command -v java >/dev/null && [ -z "${JAVA_HOME:-}" ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "java is missing: the Spark test needs Java 17 (apt-get install openjdk-17-jre-headless)" >&2
    exit 2
  fi
  echo "NOTE: java is missing, so the Spark test will be skipped; install Java 17 (apt-get install openjdk-17-jre-headless) to run it" >&2
fi

step "python: virtual environment ($venv)"
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
stamp="$venv/.kocrank-requirements"
if ! cmp -s python/requirements-dev.txt "$stamp"; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r python/requirements-dev.txt
  cp python/requirements-dev.txt "$stamp"
fi
export VIRTUAL_ENV="$venv"
export PATH="$venv/bin:$PATH"
# One interpreter for every cargo command below, so pyo3 is configured (and built) once.
export PYO3_PYTHON="$venv/bin/python"

step "python: lints of the extension crate"
cargo clippy -p kocrank-python --all-targets -- -D warnings

step "python: build the extension (maturin develop)"
(cd python && maturin develop)

step "python: pytest"
# The command line, for the tests that read one file through it and through frames.
cargo build --quiet --bin kocrank
export KOCRANK_CLI="$CARGO_TARGET_DIR/debug/kocrank"
cd python
status=0
timeout "${KOCRANK_PYTEST_TIMEOUT:-1200}" "$venv/bin/python" -m pytest -q -ra || status=$?
case $status in
  0) ;;
  5) echo "pytest collected no test: that is a failure here" >&2; exit 1 ;;
  124) echo "pytest did not finish within ${KOCRANK_PYTEST_TIMEOUT:-1200} s" >&2; exit 1 ;;
  *) exit "$status" ;;
esac
