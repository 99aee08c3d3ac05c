#!/usr/bin/env bash
# Peer comparison of kocrank with the Python `implicit` package; see README.md here.
#
#   benches/peers/run.sh            # small world, UCI Online Retail, MovieLens-100k, Complete Journey
#   DATASETS="ml100k cj" benches/peers/run.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="${WORK:-$here/work}"
threads="${THREADS:-2}"
models="${MODELS:-ials,profile,popularity}"
datasets="${DATASETS:-small uci ml100k cj}"
uci="${UCI:-$root/../shared/datasets/uci-online-retail}"
cj="${CJ:-$root/../shared/datasets/complete-journey}"
cache="${KOCRANK_DATA_CACHE:-$HOME/.cache/kocrank-data}"
hp=(--factors 64 --regularization 0.01 --alpha 1.0 --iterations 15 --threads "$threads" --k 20 --seed 0)

source "$here/env.sh"

cd "$root"
# PROFILE=dev reuses the test build (dependencies optimised, kocrank at opt-level 1):
# no second build of polars, slower kocrank fits.
profile="${PROFILE:-release}"
out="$([ "$profile" = dev ] && echo debug || echo "$profile")"
cargo build --profile "$profile" --quiet --example peers --bin kocrank
peers="$CARGO_TARGET_DIR/$out/examples/peers"
kocrank="$CARGO_TARGET_DIR/$out/kocrank"

run_one() { # label, data flags...
  local label="$1"; shift
  local dir="$work/$label"
  mkdir -p "$dir"
  "$peers" prepare "$@" --out "$dir"
  "$venv/bin/python" "$here/implicit_peer.py" --work "$dir" "${hp[@]}"
  "$peers" compare "$@" --work "$dir" --label "$label" --models "$models" "${hp[@]}" | tee "$dir/table.txt"
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
      # Lenient ingest: rows with an empty user_id (the promoter) or a quantity below 1
      # (every cancellation line) are rejected and counted; user_id reads as promoter_id.
      run_one uci --orders "$uci/orders.csv.gz"
      ;;
    ml100k)
      # MovieLens-100k ships inside RecBole's wheel; its licence forbids redistribution,
      # so it is fetched into the cache at run time and never committed.
      if ! inter="$(bash "$root/scripts/fetch-ml100k.sh" "$cache")"; then
        echo "skipping ml100k: could not fetch the recbole wheel from PyPI" >&2
        continue
      fi
      run_one ml100k --movielens "$inter"
      ;;
    cj)
      if [ ! -e "$cj/orders.csv.gz" ] || [ ! -e "$cj/items.csv.gz" ]; then
        echo "skipping cj: $cj/orders.csv.gz or items.csv.gz not found (set CJ=DIR)" >&2
        continue
      fi
      # Lenient ingest: lines with quantity 0 and products missing from the master are
      # rejected and counted (load report on stderr).
      run_one cj --complete-journey "$cj"
      ;;
    *) echo "unknown dataset $d (small, uci, ml100k, cj)" >&2; exit 2 ;;
  esac
done
