"""BPR peers for the RecBole reproduction (see datasets/REPRODUCTIONS.md).

Reads the splits that `cargo run --release --example reproduce -- --work DIR --prepare`
wrote into DIR/seed<s>/ (train.csv, valid.csv: promoter,item; test_promoters.csv;
meta.json) and writes, per seed, the top-k of every test promoter for:

* peer_bpr_numpy.csv -- BPR-MF trained the way RecBole trains its BPR model: 64-dim
  embeddings with Xavier-normal initialisation, the BPR loss with one uniformly drawn
  negative per training pair (an item the user did not rate in training), Adam with
  learning rate 1e-3 over all parameters, batches of 4096, evaluation on the
  validation part after every epoch by MRR@10, early stopping after 10 epochs without
  improvement (at most 500), and the best epoch's embeddings kept;
* peer_implicit_bpr.csv -- implicit's BayesianPersonalizedRanking, 64 factors, its
  defaults otherwise (learning rate 0.01, regularisation 0.01, 100 iterations).

Both rank the whole catalogue minus the user's training and validation items. The
lists are scored by the Rust side with kocrank's metric code.
"""

import argparse
import glob
import json
import os
import time

import numpy as np
import pandas as pd
import scipy.sparse as sp


def topk_masked(scores, mask, k):
    scores = np.where(mask, -np.inf, scores)
    idx = np.argpartition(-scores, k, axis=1)[:, :k]
    part = np.take_along_axis(scores, idx, axis=1)
    order = np.argsort(-part, axis=1, kind="stable")
    return np.take_along_axis(idx, order, axis=1)


def mrr_at(lists, truth_rows, k):
    total = 0.0
    for u, lst in lists.items():
        rel = truth_rows.get(u)
        if not rel:
            continue
        for r, i in enumerate(lst[:k]):
            if i in rel:
                total += 1.0 / (r + 1)
                break
    return total / max(1, len(truth_rows))


def bpr_numpy(train, valid, n_users, n_items, k, seed, log):
    rng = np.random.default_rng(seed)
    d = 64
    # Xavier normal: std = sqrt(2 / (fan_in + fan_out)) of the embedding table.
    U = rng.normal(0, np.sqrt(2.0 / (n_users + d)), (n_users, d)).astype(np.float64)
    V = rng.normal(0, np.sqrt(2.0 / (n_items + d)), (n_items, d)).astype(np.float64)
    params = [U, V]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    b1, b2, lr, eps = 0.9, 0.999, 1e-3, 1e-8
    step = 0
    users = train[:, 0]
    items = train[:, 1]
    seen = sp.csr_matrix((np.ones(len(train)), (users, items)), shape=(n_users, n_items))
    seen.data[:] = 1
    seen_dense = seen.toarray() > 0
    valid_truth = {}
    for u, i in valid:
        valid_truth.setdefault(int(u), set()).add(int(i))
    valid_users = np.array(sorted(valid_truth))
    best, best_params, bad = -1.0, None, 0
    for epoch in range(500):
        perm = rng.permutation(len(train))
        for s in range(0, len(perm), 4096):
            b = perm[s : s + 4096]
            bu, bi = users[b], items[b]
            bj = rng.integers(0, n_items, len(b))
            clash = seen_dense[bu, bj]
            while clash.any():
                bj[clash] = rng.integers(0, n_items, clash.sum())
                clash = seen_dense[bu, bj]
            eu, ei, ej = U[bu], V[bi], V[bj]
            x = np.sum(eu * (ei - ej), axis=1)
            # d/dx of mean(-log sigmoid(x)) = -(1 - sigmoid(x)) / n
            g = -(1.0 / (1.0 + np.exp(x))) / len(b)
            gU = np.zeros_like(U)
            gV = np.zeros_like(V)
            np.add.at(gU, bu, g[:, None] * (ei - ej))
            np.add.at(gV, bi, g[:, None] * eu)
            np.add.at(gV, bj, -g[:, None] * eu)
            step += 1
            for p, gp, mp, vp in zip(params, [gU, gV], m, v):
                mp *= b1
                mp += (1 - b1) * gp
                vp *= b2
                vp += (1 - b2) * gp * gp
                mh = mp / (1 - b1**step)
                vh = vp / (1 - b2**step)
                p -= lr * mh / (np.sqrt(vh) + eps)
        scores = U[valid_users] @ V.T
        lists = topk_masked(scores, seen_dense[valid_users], k)
        mrr = mrr_at({int(u): list(l) for u, l in zip(valid_users, lists)}, valid_truth, k)
        if mrr > best:
            best, best_params, bad = mrr, (U.copy(), V.copy()), 0
        else:
            bad += 1
            if bad >= 10:
                break
    log(f"bpr numpy: {epoch + 1} epochs, best valid MRR@{k} {best:.4f}")
    return best_params


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", required=True)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    from implicit.bpr import BayesianPersonalizedRanking

    for dir in sorted(glob.glob(os.path.join(a.work, "seed*"))):
        seed = int(os.path.basename(dir)[4:])
        meta = json.load(open(os.path.join(dir, "meta.json")))
        nu, ni = meta["n_promoters"], meta["n_items"]
        train = pd.read_csv(os.path.join(dir, "train.csv")).to_numpy()
        valid = pd.read_csv(os.path.join(dir, "valid.csv")).to_numpy()
        users = pd.read_csv(os.path.join(dir, "test_promoters.csv"))["promoter"].to_numpy()
        both = np.vstack([train, valid])
        mask = sp.csr_matrix((np.ones(len(both)), (both[:, 0], both[:, 1])), shape=(nu, ni))
        mask.data[:] = 1
        mask_dense = mask.toarray() > 0

        def write(name, lists):
            rows = [(int(u), r + 1, int(i)) for u, l in zip(users, lists) for r, i in enumerate(l)]
            pd.DataFrame(rows, columns=["promoter", "rank", "item"]).to_csv(
                os.path.join(dir, f"peer_{name}.csv"), index=False
            )

        t0 = time.perf_counter()
        U, V = bpr_numpy(train, valid, nu, ni, a.k, seed, print)
        write("bpr_numpy", topk_masked(U[users] @ V.T, mask_dense[users], a.k))
        print(f"seed {seed}: bpr numpy {time.perf_counter() - t0:.1f} s", flush=True)

        m = sp.csr_matrix(
            (np.ones(len(train), dtype=np.float32), (train[:, 0], train[:, 1])), shape=(nu, ni)
        )
        model = BayesianPersonalizedRanking(
            factors=64, num_threads=a.threads, random_state=seed
        )
        t0 = time.perf_counter()
        model.fit(m, show_progress=False)
        ids, _ = model.recommend(
            users, mask.astype(np.float32).tocsr()[users], N=a.k, filter_already_liked_items=True
        )
        write("implicit_bpr", ids)
        print(f"seed {seed}: implicit bpr {time.perf_counter() - t0:.1f} s", flush=True)


if __name__ == "__main__":
    main()
