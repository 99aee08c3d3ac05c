#!/usr/bin/env bash
# Batch ranking against `implicit`'s batched `recommend`, with the same iALS factors,
# the same k and the same threads (see README.md here).
#
#   benches/peers/batch.sh                                  # the small world, top 100
#   MODEL=large.kocrank PROMOTERS=20000 benches/peers/batch.sh   # a trained model file
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="${WORK:-$here/work}"
threads="${THREADS:-2}"
k="${K:-100}"

source "$here/env.sh"

cd "$root"
cargo build --release --quiet --example peers --bin kocrank
peers="$CARGO_TARGET_DIR/release/examples/peers"
kocrank="$CARGO_TARGET_DIR/release/kocrank"

limit=()
[ -n "${PROMOTERS:-}" ] && limit=(--promoters "$PROMOTERS")
if [ -n "${MODEL:-}" ]; then
  label="$(basename "$MODEL" .kocrank)"
  "$peers" batch --model "$MODEL" --work "$work/batch-$label" --k "$k" --threads "$threads" "${limit[@]}"
else
  label=small
  if [ ! -e "$work/small-world/world.json" ]; then
    "$kocrank" generate --scale small --seed 1 --out "$work/small-world"
  fi
  "$peers" batch --data "$work/small-world" --work "$work/batch-$label" --k "$k" --threads "$threads" \
    --factors 64 --regularization 0.01 --alpha 1.0 --iterations 15 --seed 0 "${limit[@]}"
fi
"$venv/bin/python" "$here/implicit_batch.py" --work "$work/batch-$label" --label "$label"
