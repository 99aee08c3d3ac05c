"""Tuned peers: each peer tuned on kocrank's validation split, refitted, ranked.

Reads what `peers prepare` wrote into WORK: the training pairs (`train.csv`), the
validation split that `kocrank train` (model = "auto") carves from them
(`valid_train.csv`, `valid_truth.csv`) and the test promoters. For each peer family
it runs a seeded random search within BUDGET seconds (the first trial at the
family's usual defaults), each trial fitted on `valid_train.csv` and scored by
NDCG@20 on `valid_truth.csv`; then it refits the best settings on all of
`train.csv` and writes the top-K list of every test promoter
(`tuned_{als,bm25,rp3beta,ease}.csv`: promoter,rank,item) and the settings, trial
counts and times (`tuned.json`). `peers compare` scores the lists on the test
window with kocrank's own metric code.

Peers:
- implicit AlternatingLeastSquares (conjugate gradient), c_ui = 1 + alpha * r_ui;
- implicit BM25Recommender (K1, B, K);
- RP3beta in numpy/scipy (Paudel et al. 2017, as Dacrema et al. 2019 implement it:
  row-normalised transition matrices raised to alpha, popularity ** beta, top K);
- EASE in numpy (Steck 2019), on the items with the most orders when there are more
  than EASE_ITEMS (the dense inverse is cubic in them).

Whether a list leaves out the promoter's own past items (implicit's
filter_already_liked_items) is tuned like any other setting: kept where re-orders
are the use (UCI's resellers), dropped where nobody re-buys (MovieLens). The first
two trials of each family are its defaults with and without the filter.
"""

import argparse
import json
import math
import os
import time
import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp

EASE_ITEMS = 4000


def ndcg_at(lists, truth, k):
    """Mean NDCG@k with binary gains over the promoters in `truth`."""
    disc = 1.0 / np.log2(np.arange(2, k + 2))
    total = 0.0
    for u, rel in truth.items():
        rec = lists.get(u, [])[:k]
        dcg = sum(disc[j] for j, i in enumerate(rec) if i in rel)
        idcg = disc[: min(len(rel), k)].sum()
        total += dcg / idcg if idcg > 0 else 0.0
    return total / max(len(truth), 1)


def matrix(df, shape):
    return sp.csr_matrix(
        (df["orders"].to_numpy().astype(np.float32), (df["promoter"], df["item"])),
        shape=shape,
        dtype=np.float32,
    )


def hide(scores, seen_rows):
    """Sets the scores of each row's past items to -inf (in place)."""
    seen_rows = seen_rows.tocsr()
    for r in range(scores.shape[0]):
        scores[r, seen_rows.indices[seen_rows.indptr[r] : seen_rows.indptr[r + 1]]] = -np.inf


def top_k(scores, k):
    """Row-wise top k of a dense score block, best first."""
    k = min(k, scores.shape[1])
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    order = np.take_along_axis(scores, part, axis=1).argsort(axis=1)[:, ::-1]
    return np.take_along_axis(part, order, axis=1)


class Rp3beta:
    def __init__(self, alpha, beta, k):
        self.alpha, self.beta, self.k = alpha, beta, k

    def fit(self, counts):
        x = (counts > 0).astype(np.float32).tocsr()
        deg_u = np.asarray(x.sum(axis=1)).ravel()
        deg_i = np.asarray(x.sum(axis=0)).ravel()
        pui = sp.diags(1.0 / np.maximum(deg_u, 1)) @ x
        piu = sp.diags(1.0 / np.maximum(deg_i, 1)) @ x.T.tocsr()
        pui.data **= self.alpha
        piu = piu.tocsr()
        piu.data **= self.alpha
        pop = np.power(np.maximum(deg_i, 1), -self.beta).astype(np.float32)
        n = x.shape[1]
        rows, cols, vals = [], [], []
        block = max(1, min(n, 20_000_000 // max(n, 1)))
        for s in range(0, n, block):
            w = (piu[s : s + block] @ pui).toarray() * pop[None, :]
            kk = min(self.k, n)
            idx = np.argpartition(-w, kk - 1, axis=1)[:, :kk]
            v = np.take_along_axis(w, idx, axis=1)
            r = np.repeat(np.arange(s, s + w.shape[0]), kk)
            keep = v.ravel() > 0
            rows.append(r[keep])
            cols.append(idx.ravel()[keep])
            vals.append(v.ravel()[keep])
        self.w = sp.csr_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n)
        )
        self.x = x
        return self

    def recommend(self, users, k, seen=None):
        out = {}
        for s in range(0, len(users), 2048):
            u = users[s : s + 2048]
            scores = (self.x[u] @ self.w).toarray()
            if seen is not None:
                hide(scores, seen[u])
            for uu, row in zip(u, top_k(scores, k)):
                out[int(uu)] = [int(i) for i in row]
        return out


class Ease:
    def __init__(self, lam):
        self.lam = lam

    def fit(self, counts):
        x = (counts > 0).astype(np.float64).tocsc()
        orders = np.asarray(counts.sum(axis=0)).ravel()
        items = np.flatnonzero(orders > 0)
        if len(items) > EASE_ITEMS:
            items = items[np.argsort(-orders[items], kind="stable")[:EASE_ITEMS]]
            items.sort()
        xs = x[:, items]
        g = (xs.T @ xs).toarray()
        g[np.diag_indices_from(g)] += self.lam
        p = np.linalg.inv(g)
        b = -p / np.diag(p)
        b[np.diag_indices_from(b)] = 0.0
        self.items, self.b, self.x = items, b.astype(np.float32), xs.tocsr().astype(np.float32)
        self.n = counts.shape[1]
        return self

    def recommend(self, users, k, seen=None):
        out = {}
        for s in range(0, len(users), 2048):
            u = users[s : s + 2048]
            full = np.zeros((len(u), seen.shape[1] if seen is not None else self.n), dtype=np.float32)
            full[:, self.items] = np.asarray(self.x[u] @ self.b)
            if seen is not None:
                hide(full, seen[u])
            for uu, row in zip(u, top_k(full, k)):
                out[int(uu)] = [int(i) for i in row]
        return out


class Implicit:
    def __init__(self, kind, params, threads, seed):
        self.kind, self.params, self.threads, self.seed = kind, params, threads, seed

    def fit(self, counts):
        from implicit.als import AlternatingLeastSquares
        from implicit.nearest_neighbours import BM25Recommender

        p = self.params
        if self.kind == "als":
            m = counts.copy()
            m.data = 1.0 + p["alpha"] * m.data
            self.model = AlternatingLeastSquares(
                factors=p["factors"],
                regularization=p["regularization"],
                alpha=1.0,
                iterations=15,
                use_cg=True,
                use_gpu=False,
                num_threads=self.threads,
                random_state=self.seed,
                calculate_training_loss=False,
            )
        else:
            m = counts
            self.model = BM25Recommender(K=p["k"], K1=p["k1"], B=p["b"], num_threads=self.threads)
        self.model.fit(m, show_progress=False)
        self.m = m
        return self

    def recommend(self, users, k, seen=None):
        ids, scores = self.model.recommend(
            users, self.m[users], N=k, filter_already_liked_items=seen is not None
        )
        out = {}
        for u, row_ids, row_scores in zip(users, ids, scores):
            out[int(u)] = [int(i) for i, s in zip(row_ids, row_scores) if i >= 0 and np.isfinite(s)]
        return out


def draw(family, rng, trial):
    """Settings of one trial: the family's usual defaults (without, then with the
    filter of past items) first, then random."""
    p = draw_model(family, rng, trial < 2)
    p["filter"] = trial == 1 if trial < 2 else bool(rng.integers(0, 2))
    return p


def draw_model(family, rng, first):
    lu = lambda lo, hi: float(math.exp(rng.uniform(math.log(lo), math.log(hi))))
    if family == "als":
        if first:
            return {"factors": 64, "regularization": 0.01, "alpha": 1.0}
        return {"factors": int(rng.choice([32, 64, 128])), "regularization": lu(1e-3, 100), "alpha": lu(0.5, 100)}
    if family == "bm25":
        if first:
            return {"k": 100, "k1": 1.2, "b": 0.75}
        return {"k": int(lu(10, 1000)), "k1": lu(0.1, 5), "b": float(rng.uniform(0, 1))}
    if family == "rp3beta":
        if first:
            return {"alpha": 1.0, "beta": 0.5, "k": 100}
        return {"alpha": float(rng.uniform(0.1, 2)), "beta": float(rng.uniform(0, 1)), "k": int(lu(10, 1000))}
    if first:
        return {"lambda": 500.0}
    return {"lambda": lu(1, 1e5)}


def build(family, params, threads, seed):
    if family in ("als", "bm25"):
        return Implicit(family, params, threads, seed)
    if family == "rp3beta":
        return Rp3beta(params["alpha"], params["beta"], params["k"])
    return Ease(params["lambda"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", required=True)
    ap.add_argument("--budget", type=float, default=120.0, help="seconds of tuning per family")
    ap.add_argument("--families", default="als,bm25,rp3beta,ease")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--k", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()

    from implicit.utils import check_blas_config

    check_blas_config()
    # implicit's BM25 converts its own weighted matrix to CSR on every fit and says so.
    warnings.filterwarnings("ignore", message="Method expects CSR input")
    with open(os.path.join(a.work, "meta.json")) as f:
        meta = json.load(f)
    shape = (meta["n_promoters"], meta["n_items"])
    train = matrix(pd.read_csv(os.path.join(a.work, "train.csv")), shape)
    vtrain = matrix(pd.read_csv(os.path.join(a.work, "valid_train.csv")), shape)
    vt = pd.read_csv(os.path.join(a.work, "valid_truth.csv"))
    truth = {int(u): set(g["item"].astype(int)) for u, g in vt.groupby("promoter")}
    vusers = np.array(sorted(truth), dtype=np.int64)
    tusers = pd.read_csv(os.path.join(a.work, "test_promoters.csv"))["promoter"].to_numpy()

    summary = {}
    for family in a.families.split(","):
        rng = np.random.default_rng(a.seed)
        t0 = time.perf_counter()
        best, best_p, trials = -1.0, None, 0
        while True:
            p = draw(family, rng, trials)
            t1 = time.perf_counter()
            m = build(family, p, a.threads, a.seed).fit(vtrain)
            score = ndcg_at(m.recommend(vusers, a.k, vtrain if p["filter"] else None), truth, a.k)
            trials += 1
            took = time.perf_counter() - t1
            print(f"{family:8} trial {trials:3}  NDCG@{a.k} {score:.4f}  {took:6.1f} s  {p}", flush=True)
            if score > best:
                best, best_p = score, p
            if time.perf_counter() - t0 + took > a.budget:
                break
        tuning = time.perf_counter() - t0
        t1 = time.perf_counter()
        m = build(family, best_p, a.threads, a.seed).fit(train)
        fit = time.perf_counter() - t1
        lists = m.recommend(tusers, a.k, train if best_p["filter"] else None)
        rows = [(u, r + 1, i) for u, l in lists.items() for r, i in enumerate(l)]
        pd.DataFrame(rows, columns=["promoter", "rank", "item"]).to_csv(
            os.path.join(a.work, f"tuned_{family}.csv"), index=False
        )
        summary[family] = {
            "params": best_p,
            "valid_ndcg": best,
            "trials": trials,
            "tuning_seconds": tuning,
            "fit_seconds": fit,
        }
        print(f"{family}: best {best_p} (validation NDCG@{a.k} {best:.4f}, {trials} trials, {tuning:.0f} s); refit {fit:.1f} s", flush=True)
    with open(os.path.join(a.work, "tuned.json"), "w") as f:
        json.dump(summary, f, indent=2)


if __name__ == "__main__":
    main()
