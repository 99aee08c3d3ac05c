#!/usr/bin/env bash
# Writes out/report.html from the small synthetic world (seed 1) and takes a
# screenshot of it with headless Chromium (out/report.png), to look at the plots.
# The window is 3600 px tall so the whole page fits. Installs Debian's chromium when missing (needs root).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kocrank-target}"

if ! command -v chromium >/dev/null 2>&1; then
    apt-get update && apt-get install -y chromium
fi

mkdir -p out
cargo run -q -- generate --scale small --seed 1 --out out/world
cargo run -q -- evaluate --data out/world --models baseline,popularity,profile \
    --compare profile,popularity --report out/report.html

chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$(mktemp -d)" --window-size=1280,3600 \
    --screenshot=out/report.png "file://$PWD/out/report.html"
echo "wrote out/report.html and out/report.png"
