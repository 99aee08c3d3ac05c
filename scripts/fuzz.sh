#!/usr/bin/env bash
# Short, bounded fuzzing of the model-file loader, rank requests and CSV ingest with
# cargo-fuzz (libFuzzer). Usage: bash scripts/fuzz.sh [seconds per target, default 60]
# Installs cargo-fuzz if missing. The toolchain is stable; RUSTC_BOOTSTRAP lets
# cargo-fuzz use the instrumentation flags it needs. A crash leaves its input under
# fuzz/artifacts/<target>/ and this script exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kocrank-target}"

# Seed the model-file corpus with a real model, so the fuzzer starts past the magic.
mkdir -p fuzz/corpus/model_file fuzz/corpus/rank_request fuzz/corpus/csv_ingest
seed=$(mktemp -d)
cargo run -q --bin kocrank -- generate --scale tiny --seed 1 --out "$seed/w" --quiet
cargo run -q --bin kocrank -- train --data "$seed/w" --model blend --out fuzz/corpus/model_file/blend.kocrank --quiet
cargo run -q --bin kocrank -- train --data "$seed/w" --model profile --out fuzz/corpus/model_file/profile.kocrank --quiet
head -c 4000 "$seed/w/orders.csv" > fuzz/corpus/csv_ingest/orders.csv
printf '{"promoter_id":"P000001","k":5,"candidates":["I0000001"],"exclude_purchased":"always"}' > fuzz/corpus/rank_request/a.json
rm -rf "$seed"

# The instrumented builds go to their own directory, so they never invalidate the
# ordinary one.
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$HOME/.cache/kocrank-fuzz-target}"

cd fuzz
for target in model_file rank_request; do
  cargo fuzz run "$target" -s none -- -max_total_time="$secs"
done
cargo fuzz run csv_ingest -s none --features io -- -max_total_time="$secs"
