#!/usr/bin/env bash
# Runs every check and test of kocrank on a fresh machine: formatting, lints (with
# warnings as errors), the lean core without polars, the full test suite, and the
# Python bindings with their tests (scripts/test-python.sh: a virtual environment in
# .venv, maturin, pytest, Spark in local mode).
# Reuses $CARGO_TARGET_DIR (default: ~/.cache/kocrank-target) when it exists.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kocrank-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
step() { printf '\n== %s (%s)\n' "$1" "$(date +%H:%M:%S)"; }

if ! command -v cargo >/dev/null; then
  echo "cargo is missing: install Rust from your system packages or rustup" >&2
  exit 2
fi

step "format"
cargo fmt --all -- --check

step "lean core: no polars or arrow without default features"
if cargo tree --no-default-features -e normal --prefix none | grep -E '^(polars|arrow)' ; then
  echo "the core depends on polars or arrow" >&2
  exit 1
fi
cargo clippy --no-default-features --lib --tests -- -D warnings
cargo test --no-default-features --lib --tests

step "the smartcore learner (feature smartcore, off by default): lints and its test"
cargo clippy --no-default-features --features smartcore --lib --tests -- -D warnings
cargo test --no-default-features --features smartcore --lib blend::logistic

step "lints"
cargo clippy --all-targets -- -D warnings

step "data sets the tests read"
# MovieLens-100k is fetched (never committed); UCI and The Complete Journey come from
# ../shared/datasets. KOCRANK_REQUIRE_DATA lists the data (path fragments, `:`-separated)
# whose absence fails a test instead of printing a visible skip: what this script
# fetched, and the shared data sets where the machine has them.
bash scripts/fetch-ml100k.sh >/dev/null
require="ml-100k"
if [ -d ../shared/datasets ]; then
  require="$require:shared/datasets"
else
  echo "note: ../shared/datasets is absent: its tests print SKIPPED and pass"
fi
export KOCRANK_REQUIRE_DATA="$require"

step "tests"
cargo test --all-targets
cargo test --doc

step "python bindings"
bash scripts/test-python.sh

step "done"
