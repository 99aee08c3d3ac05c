"""Upper bounds for a no-order promoter's list in a generated world.

Ranks each promoter with test orders and no training order (last 30 days held out) by
decayed popularity (half-life 30 days), tilted by the TRUE top-level category taste of
(a) the promoter herself, (b) her same-channel inviter, both from the world's ground
truth (truth.csv), and prints NDCG@20 for each. No model can use the truth; the figures
bound what any list built from that information can reach.

    kocrank generate --scale small --seed 1 --out world
    .venv/bin/python benches/network/newcomer_bound.py world [world2 ...]
"""

import math
import sys

import numpy as np
import polars as pl

DAY = 86400


def ndcg(score, truth, items, k=20):
    top = np.argpartition(-score, k)[:k]
    top = top[np.argsort(-score[top])]
    dcg = sum(1 / math.log2(r + 2) for r, i in enumerate(top) if items[i] in truth)
    return dcg / sum(1 / math.log2(r + 2) for r in range(min(k, len(truth))))


def run(d):
    o = pl.read_csv(f"{d}/orders.csv").filter(pl.col("status") == "completed")
    it = pl.read_csv(f"{d}/items.csv")
    pr = pl.read_csv(f"{d}/promoters.csv")
    truth = pl.read_csv(f"{d}/truth.csv").filter(pl.col("kind") == "category")
    items = it["item_id"].to_list()
    idx = {x: i for i, x in enumerate(items)}
    tops = sorted({c.split("/")[0] for c in it["category"]})
    ti = {t: k for k, t in enumerate(tops)}
    topv = np.array([ti[c.split("/")[0]] for c in it["category"]])
    end = o["ts"].max()
    cut = (end // DAY) * DAY - 29 * DAY
    tr, te = o.filter(pl.col("ts") < cut), o.filter(pl.col("ts") >= cut)
    newc = sorted(set(te["promoter_id"]) - set(tr["promoter_id"]))
    bought = {
        p: set(v)
        for p, v in te.filter(pl.col("promoter_id").is_in(newc))
        .group_by("promoter_id")
        .agg(pl.col("item_id"))
        .iter_rows()
    }
    w = np.zeros(len(items))
    age = (cut - tr["ts"].to_numpy()) / DAY
    np.add.at(w, np.array([idx[x] for x in tr["item_id"]]), np.exp(-age / 30 * math.log(2)))
    pop = np.log(w + 1e-3)
    q = np.array([np.exp(pop)[topv == k].sum() for k in range(len(tops))])
    q /= q.sum()
    taste = {}
    for p, _, key, v in truth.iter_rows():
        taste.setdefault(p, np.zeros(len(tops)))[ti[key]] = v
    inviter = dict(pr.select("promoter_id", "inviter_id").iter_rows())
    channel = dict(pr.select("promoter_id", "channel").iter_rows())

    def tilt(t):
        return pop + np.log(np.maximum(t, 1e-6) / q)[topv]

    def inviter_list(p):
        i = inviter.get(p)
        if i in taste and channel[i] == channel[p]:
            return tilt(taste[i])
        return pop

    a = np.mean([ndcg(pop, bought[p], items) for p in newc])
    b = np.mean([ndcg(tilt(taste[p]), bought[p], items) for p in newc])
    c = np.mean([ndcg(inviter_list(p), bought[p], items) for p in newc])
    print(
        f"{d}: {len(newc)} no-order promoters; popularity {a:.4f}, "
        f"own true taste {b:.4f} ({b / a - 1:+.0%}), inviter's true taste {c:.4f} ({c / a - 1:+.0%})"
    )


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for d in sys.argv[1:]:
        run(d)
