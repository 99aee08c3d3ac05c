#!/usr/bin/env bash
# Fetches MovieLens-100k (RecBole's atomic `ml-100k.inter`) from the `recbole` wheel on
# PyPI into a cache folder and prints the file's path. The MovieLens licence forbids
# redistribution: the file is fetched at run time and never committed.
#
#   bash scripts/fetch-ml100k.sh [CACHE_DIR]     # default ~/.cache/kocrank-data
set -euo pipefail
cache="${1:-${KOCRANK_DATA_CACHE:-$HOME/.cache/kocrank-data}}"
out="$cache/ml-100k/ml-100k.inter"
if [ -s "$out" ]; then
  echo "$out"
  exit 0
fi
mkdir -p "$cache/recbole" "$cache/ml-100k"
python3 -m pip download --quiet --no-deps recbole -d "$cache/recbole" >&2
wheel="$(ls -t "$cache"/recbole/recbole-*.whl | head -n 1)"
python3 - "$wheel" "$out" <<'PY'
import sys, zipfile
wheel, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    data = z.read("recbole/dataset_example/ml-100k/ml-100k.inter")
with open(out + ".tmp", "wb") as f:
    f.write(data)
import os
os.replace(out + ".tmp", out)
PY
echo "fetched $out from $(basename "$wheel")" >&2
echo "$out"
