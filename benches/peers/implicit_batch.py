"""The `implicit` side of the batch comparison (see README.md in this folder).

Reads what `cargo run --release --example peers -- batch` wrote into WORK: the item and
promoter factors of kocrank's iALS model, the promoters' past items and kocrank's lists
and time. Loads the same factors into implicit's CPU AlternatingLeastSquares and times
its batched `recommend` for all those promoters at once (same N, past items filtered:
`filter_already_liked_items=True`, the same thread count), then prints both times, their
ratio and how often the two lists agree.
"""

import argparse
import json
import os
import time

import numpy as np
import pandas as pd
import scipy.sparse as sp


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", required=True)
    ap.add_argument("--label", default="data")
    a = ap.parse_args()

    import implicit
    from implicit.cpu.als import AlternatingLeastSquares
    from implicit.utils import check_blas_config

    check_blas_config()
    with open(os.path.join(a.work, "batch.json")) as f:
        meta = json.load(f)
    n, m, d, k = meta["promoters"], meta["items"], meta["factors"], meta["k"]
    items = np.fromfile(os.path.join(a.work, "batch_items.f32"), dtype="<f4").reshape(m, d)
    users = np.fromfile(os.path.join(a.work, "batch_promoters.f32"), dtype="<f4").reshape(n, d)
    hist = pd.read_csv(os.path.join(a.work, "batch_history.csv"))
    liked = sp.csr_matrix(
        (np.ones(len(hist), dtype=np.float32), (hist["row"].to_numpy(), hist["item"].to_numpy())),
        shape=(n, m),
    )

    model = AlternatingLeastSquares(factors=d, num_threads=meta["threads"])
    model.user_factors = users
    model.item_factors = items
    userids = np.arange(n)
    t0 = time.perf_counter()
    ids, _ = model.recommend(userids, liked, N=k, filter_already_liked_items=True)
    secs = time.perf_counter() - t0

    ko = pd.read_csv(os.path.join(a.work, "batch_kocrank.csv")).sort_values(["row", "rank"])
    ko_lists = ko.groupby("row")["item"].apply(list).to_dict()
    same_set = same_order = 0
    for row in range(n):
        mine = ko_lists.get(row, [])
        theirs = [int(i) for i in ids[row] if i >= 0]
        same_set += set(mine) == set(theirs)
        same_order += mine == theirs
    ks = meta["kocrank_seconds"]
    print(f"| data | promoters × items | k | threads | kocrank s | implicit {implicit.__version__} s | implicit / kocrank | same items | same order |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(
        f"| {a.label} | {n:,} × {m:,} | {k} | {meta['threads']} | {ks:.2f} | {secs:.2f} | "
        f"{secs / ks:.2f} | {100 * same_set / n:.1f}% | {100 * same_order / n:.1f}% |"
    )
    print(f"cpu: {meta['cpu']}")


if __name__ == "__main__":
    main()
