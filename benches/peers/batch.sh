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
venv="$here/.venv"
threads="${THREADS:-2}"
k="${K:-100}"

export OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 OMP_NUM_THREADS=1
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kocrank-target}"

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "implicit>=0.7,<0.8" numpy scipy pandas
fi

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
