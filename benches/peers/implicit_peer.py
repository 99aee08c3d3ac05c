"""The `implicit` side of the peer comparison (see README.md in this folder).

Reads what `cargo run --release --example peers -- prepare` wrote into WORK, fits
implicit's AlternatingLeastSquares, BM25Recommender and CosineRecommender on the same
training pairs, and writes for each the top-N list of every test promoter
(`implicit_{als,bm25,cosine}.csv`: promoter,rank,item) and the fit times
(`implicit_times.json`, seconds of `model.fit` alone).

Confidence. kocrank uses Hu, Koren and Volinsky's c_ui = 1 + alpha * r_ui, r_ui the
number of completed orders. implicit uses the matrix value itself as c_ui (scaled by its
own `alpha`), so the ALS matrix holds 1 + alpha * r_ui and implicit's alpha is left at
1.0: both sides solve the same problem. The item-item models get the raw counts r_ui.
All lists are made with filter_already_liked_items=False (re-orders may be recommended).
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
    ap.add_argument("--factors", type=int, default=64)
    ap.add_argument("--regularization", type=float, default=0.01)
    ap.add_argument("--alpha", type=float, default=1.0)
    ap.add_argument("--iterations", type=int, default=15)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--k", type=int, default=20)
    ap.add_argument("--neighbours", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()

    import implicit
    from implicit.als import AlternatingLeastSquares
    from implicit.nearest_neighbours import BM25Recommender, CosineRecommender
    from implicit.utils import check_blas_config

    check_blas_config()
    with open(os.path.join(a.work, "meta.json")) as f:
        meta = json.load(f)
    shape = (meta["n_promoters"], meta["n_items"])
    train = pd.read_csv(os.path.join(a.work, "train.csv"))
    users = pd.read_csv(os.path.join(a.work, "test_promoters.csv"))["promoter"].to_numpy()
    rows = train["promoter"].to_numpy()
    cols = train["item"].to_numpy()
    counts = train["orders"].to_numpy().astype(np.float32)
    counts_m = sp.csr_matrix((counts, (rows, cols)), shape=shape, dtype=np.float32)
    conf_m = sp.csr_matrix((1.0 + a.alpha * counts, (rows, cols)), shape=shape, dtype=np.float32)

    models = {
        "als": (
            AlternatingLeastSquares(
                factors=a.factors,
                regularization=a.regularization,
                alpha=1.0,
                iterations=a.iterations,
                use_cg=True,
                use_gpu=False,
                num_threads=a.threads,
                random_state=a.seed,
                calculate_training_loss=False,
            ),
            conf_m,
        ),
        "bm25": (BM25Recommender(K=a.neighbours, num_threads=a.threads), counts_m),
        "cosine": (CosineRecommender(K=a.neighbours, num_threads=a.threads), counts_m),
    }
    times = {"implicit_version": implicit.__version__, "threads": a.threads}
    for name, (model, m) in models.items():
        t0 = time.perf_counter()
        model.fit(m, show_progress=False)
        times[name] = time.perf_counter() - t0
        ids, scores = model.recommend(
            users, m[users], N=a.k, filter_already_liked_items=False
        )
        out = []
        for u, row_ids, row_scores in zip(users, ids, scores):
            rank = 0
            for i, s in zip(row_ids, row_scores):
                # Padding of short lists (fewer than N candidates) is dropped.
                if i < 0 or not np.isfinite(s):
                    continue
                rank += 1
                out.append((int(u), rank, int(i)))
        pd.DataFrame(out, columns=["promoter", "rank", "item"]).to_csv(
            os.path.join(a.work, f"implicit_{name}.csv"), index=False
        )
        print(f"implicit {name}: fit {times[name]:.3f} s, {len(users)} lists", flush=True)
    with open(os.path.join(a.work, "implicit_times.json"), "w") as f:
        json.dump(times, f, indent=2)


if __name__ == "__main__":
    main()
