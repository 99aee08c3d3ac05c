#!/usr/bin/env bash
# kocrank's default (`model = "auto"`, no configuration) against peers tuned on the
# same validation split with the same time budget; see README.md here.
#
#   benches/peers/tuned.sh                      # small world, UCI, MovieLens-100k, Complete Journey
#   DATASETS="uci" BUDGET=120 benches/peers/tuned.sh
#
# For each data set: `peers prepare` splits it (train / test) and carves from the
# training part the validation split that auto uses; tuned_peer.py tunes implicit ALS,
# implicit BM25, numpy RP3beta and numpy EASE on it, BUDGET seconds each, refits the
# best on the training part and ranks the test promoters; `peers compare` trains
# kocrank auto (BUDGET seconds for its whole search and refit) and scores every list
# with kocrank's metric code on the test window.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="${WORK:-$here/work}"
threads="${THREADS:-2}"
budget="${BUDGET:-120}"
datasets="${DATASETS:-small uci ml100k cj}"
uci="${UCI:-$root/../shared/datasets/uci-online-retail}"
cj="${CJ:-$root/../shared/datasets/complete-journey}"
cache="${KOCRANK_DATA_CACHE:-$HOME/.cache/kocrank-data}"

source "$here/env.sh"

cd "$root"
profile="${PROFILE:-release}"
out="$([ "$profile" = dev ] && echo debug || echo "$profile")"
cargo build --profile "$profile" --quiet --example peers --bin kocrank
peers="$CARGO_TARGET_DIR/$out/examples/peers"
kocrank="$CARGO_TARGET_DIR/$out/kocrank"

run_one() { # label, data flags...
  local label="$1"; shift
  local dir="$work/tuned-$label"
  mkdir -p "$dir"
  "$peers" prepare "$@" --out "$dir"
  "$venv/bin/python" "$here/tuned_peer.py" --work "$dir" --budget "$budget" --threads "$threads" | tee "$dir/tuning.txt"
  "$peers" compare "$@" --work "$dir" --label "$label" --models auto --budget "$budget" --threads "$threads" --k 20 | tee "$dir/table.txt"
}

for d in $datasets; do
  case "$d" in
    small)
      if [ ! -e "$work/small-world/world.json" ]; then
        "$kocrank" generate --scale small --seed 1 --out "$work/small-world"
      fi
      run_one small --data "$work/small-world"
      ;;
    uci)
      if [ ! -e "$uci/orders.csv.gz" ]; then
        echo "skipping uci: $uci/orders.csv.gz not found (set UCI=DIR)" >&2
        continue
      fi
      run_one uci --orders "$uci/orders.csv.gz" --split-at 2011-11-01 --window 40d
      ;;
    ml100k)
      if ! inter="$(bash "$root/scripts/fetch-ml100k.sh" "$cache")"; then
        echo "skipping ml100k: could not fetch the recbole wheel from PyPI" >&2
        continue
      fi
      run_one ml100k --movielens "$inter"
      ;;
    cj)
      if [ ! -e "$cj/orders.csv.gz" ]; then
        echo "skipping cj: $cj/orders.csv.gz not found (set CJ=DIR)" >&2
        continue
      fi
      run_one cj --complete-journey "$cj"
      ;;
    *) echo "unknown data set $d (small, uci, ml100k, cj)" >&2; exit 2 ;;
  esac
done
