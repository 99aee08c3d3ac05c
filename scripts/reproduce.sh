#!/usr/bin/env bash
# Reproduces RecBole's published MovieLens-100k figures under RecBole's default
# protocol (random 8:1:1 split per user, full ranking, @10); see
# datasets/REPRODUCTIONS.md for the citation, the protocol and the tolerance.
#
#   bash scripts/reproduce.sh               # 5 random splits, kocrank models + BPR peers
#   SEEDS=1 PEERS=0 bash scripts/reproduce.sh
#
# Exits 0 when the data statistics match RecBole's exactly and the checked row
# (CHECK, default "bpr numpy") is within the stated tolerance of RecBole's BPR.
# PEERS=0 skips the Python BPR peers and runs kocrank's models only (no check).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${KOCRANK_DATA_CACHE:-$HOME/.cache/kocrank-data}"
work="${WORK:-$root/benches/peers/work/reproduce}"
venv="$root/benches/peers/.venv"
seeds="${SEEDS:-5}"
threads="${THREADS:-2}"
peers="${PEERS:-1}"
check="${CHECK:-bpr numpy}"
export OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 OMP_NUM_THREADS=1
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kocrank-target}"

inter="$(bash "$root/scripts/fetch-ml100k.sh" "$cache")"
cd "$root"
# PROFILE=dev reuses the test build (no second build of polars).
profile="${PROFILE:-release}"
out="$([ "$profile" = dev ] && echo debug || echo "$profile")"
cargo build --profile "$profile" --quiet --example reproduce
bin="$CARGO_TARGET_DIR/$out/examples/reproduce"
args=(--inter "$inter" --seeds "$seeds" --threads "$threads" --work "$work")

if [ "$peers" = 1 ]; then
  if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "implicit>=0.7,<0.8" numpy scipy pandas
  fi
  rm -rf "$work"
  "$bin" "${args[@]}" --prepare
  "$venv/bin/python" "$root/benches/peers/bpr_peer.py" --work "$work" --threads "$threads"
  "$bin" "${args[@]}" --check "$check"
else
  # kocrank's models only: no published figure to check them against (see
  # datasets/REPRODUCTIONS.md); the exit status reflects the data statistics.
  rm -rf "$work"
  "$bin" "${args[@]}"
fi
