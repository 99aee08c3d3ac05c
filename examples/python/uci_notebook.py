"""UCI Online Retail, notebook style: load, split, train, compare, plot, rank in a pool.

Cells are separated by ``# %%`` markers: VS Code, Spyder and Jupytext run them one at a
time; as a script it runs them all. With the bindings built (``bash
scripts/test-python.sh``), from the repository root::

    .venv/bin/python examples/python/uci_notebook.py --out out/uci

The data is a UK gift-ware wholesaler's invoice lines, Dec 2010 to Dec 2011
(``../shared/datasets/uci-online-retail/``, see its README; ``--data`` names another
folder). Customers, many of them resellers, stand in for promoters. Without the folder
the script prints ``SKIPPED`` and exits 0.

1. **Load** with polars: purchases only (quantity > 0, not a cancellation, a known
   customer, a positive price, no postage or fee codes), one order per invoice and item.
2. **Split in time**, leak-free: orders before ``--split`` (2011-11-09) train, the 30
   days from it test; nothing at or after the split is in the training set, and
   ``auto`` carves its own validation from the training set alone.
3. **Simulate commissions and ratings.** The log has neither, so each item gets a
   commission rate and review counts drawn with a seeded generator (``--seed``) from
   its stock code alone. They are made up: commission figures below say nothing about
   the real shop; they only show where the columns go.
4. **Train** the default model (``auto``, within its budget or ``--budget`` seconds) and two named
   ones (``--models``, default ``popularity,ials``).
5. **Compare** them with ``kocrank.evaluate(per_promoter=True)``: per pair of models,
   a paired t test and a bootstrap interval on the per-promoter NDCG@20 differences.
6. **Plot** NDCG@K per model to ``--out``/``uci_ndcg_at_k.png``.
7. **Rank in a pool**: the trained ``auto`` model is pickled to a ``multiprocessing``
   pool (``spawn``) that ranks the test promoters in chunks; the pooled lists must equal
   the in-process ones.

``--max-promoters N`` keeps a seeded sample of N customers (the test runs 300).
"""

# %% Setup: arguments, imports
from __future__ import annotations

import argparse
import math
import multiprocessing
import pickle
import sys
import time
import zlib
from pathlib import Path

import polars as pl

import kocrank

# In a notebook there is no __file__: the kernel starts in examples/python.
HERE = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
ROOT = HERE.parents[1]
KS = [1, 2, 5, 10, 20, 50]


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default=str(ROOT.parent / "shared" / "datasets" / "uci-online-retail"))
    p.add_argument("--out", default="out/uci")
    p.add_argument("--split", default="2011-11-09", help="the train/test split time")
    p.add_argument("--window", default="30d", help="the test window after the split")
    p.add_argument("--max-promoters", type=int, default=0, help="a seeded sample of customers (0: all)")
    p.add_argument("--budget", type=float, default=None, help="auto's time budget, seconds (default: auto's)")
    p.add_argument("--models", default="popularity,ials", help="the named models to compare with auto")
    p.add_argument("--seed", type=int, default=7, help="seeds the sample and the simulated columns")
    p.add_argument("--workers", type=int, default=2, help="processes of the ranking pool")
    p.add_argument("--quiet", action="store_true", help="no progress line while training")
    # In a notebook, sys.argv is the kernel's: take the defaults there.
    if argv is None:
        argv = [] if "ipykernel" in sys.modules else sys.argv[1:]
    return p.parse_args(argv)


def unit(item_id: str, salt: int) -> float:
    """A number in [0, 1) fixed by the stock code and the seed (the simulated columns)."""
    return zlib.crc32(f"{salt}:{item_id}".encode()) / 2**32


def paired(a: pl.DataFrame, b: pl.DataFrame, k: int, resamples: int, seed: int) -> dict:
    """Paired t test and bootstrap 95% interval on the per-promoter NDCG@k of a − b."""
    import numpy as np

    pairs = a.filter(pl.col("k") == k).join(b.filter(pl.col("k") == k), on="promoter_id", suffix="_b")
    d = (pairs["ndcg"] - pairs["ndcg_b"]).to_numpy()
    n = len(d)
    mean = float(d.mean())
    sd = float(d.std(ddof=1)) if n > 1 else 0.0
    t = mean / (sd / math.sqrt(n)) if sd > 0 else 0.0
    # Two-sided p from the normal approximation to Student's t (n is in the hundreds).
    p = math.erfc(abs(t) / math.sqrt(2))
    rng = np.random.default_rng(seed)
    means = d[rng.integers(0, n, size=(resamples, n))].mean(axis=1)
    lo, hi = np.quantile(means, [0.025, 0.975])
    return {"n": n, "mean": mean, "t": t, "p": p, "lo": float(lo), "hi": float(hi)}


if __name__ == "__main__":
    ARGS = parse_args()
    DATA = Path(ARGS.data)
    OUT = Path(ARGS.out)
    if not (DATA / "orders.csv.gz").is_file():
        print(f"SKIPPED: UCI Online Retail not found at {DATA} (orders.csv.gz); pass --data DIR")
        sys.exit(0)
    OUT.mkdir(parents=True, exist_ok=True)
    T0 = time.perf_counter()

# A pool worker started with "spawn" imports this file (as "__mp_main__") before it
# unpickles its task; the cells below run only in the notebook or the script.

# %% 1. Load the invoice lines: purchases by known customers, one order per invoice and item
if __name__ == "__main__":
    items_raw = pl.read_csv(DATA / "items.csv.gz", schema_overrides={"item_id": pl.Utf8})
    services = items_raw.filter(pl.col("is_service") == 1)["item_id"]
    lines = pl.read_csv(
        DATA / "orders.csv.gz",
        schema_overrides={"invoice": pl.Utf8, "item_id": pl.Utf8, "user_id": pl.Int64},
    )
    purchases = lines.filter(
        (pl.col("quantity") > 0)
        & (pl.col("is_cancellation") == 0)
        & pl.col("user_id").is_not_null()
        & (pl.col("unit_price") > 0)
        & ~pl.col("item_id").is_in(services.implode())
    )
    if ARGS.max_promoters:
        customers = purchases["user_id"].unique().sort()
        keep = customers.sample(min(ARGS.max_promoters, len(customers)), seed=ARGS.seed)
        purchases = purchases.filter(pl.col("user_id").is_in(keep.implode()))
    orders = (
        purchases.group_by("invoice", "user_id", "item_id", "ts", maintain_order=True)
        .agg(
            quantity=pl.col("quantity").sum(),
            amount=(pl.col("quantity") * pl.col("unit_price") * 100).sum().round().cast(pl.Int64),
        )
        .select(
            order_id="invoice",
            promoter_id=pl.col("user_id").cast(pl.Utf8),
            item_id="item_id",
            ts="ts",
            quantity="quantity",
            amount="amount",  # pence
        )
    )
    print(
        f"{lines.height:,} invoice lines -> {orders.height:,} orders of "
        f"{orders['promoter_id'].n_unique():,} customers on {orders['item_id'].n_unique():,} items"
    )

# %% 2. Simulated commissions and ratings (the log has neither), seeded per stock code
if __name__ == "__main__":
    sold = orders["item_id"].unique().sort()
    items = (
        items_raw.filter(pl.col("item_id").is_in(sold.implode()))
        .select(
            "item_id",
            price=(pl.col("median_unit_price") * 100).round().cast(pl.Int64),  # pence
            n_users="n_users",
        )
        .with_columns(
            # Simulated: a rate of 5 to 25%, most items near 10%.
            commission_rate=pl.col("item_id").map_elements(
                lambda i: round(0.05 + 0.20 * unit(i, ARGS.seed) ** 2, 3), return_dtype=pl.Float64
            ),
            # Simulated: reviews from about a third of the buyers, 60 to 100% positive.
            reviews_total=pl.col("item_id").map_elements(
                lambda i: int(unit(i, ARGS.seed + 1) * 0.6 * 40), return_dtype=pl.Int64
            ),
            positive_share=pl.col("item_id").map_elements(
                lambda i: 0.6 + 0.4 * unit(i, ARGS.seed + 2), return_dtype=pl.Float64
            ),
        )
        .with_columns(
            reviews_total=(pl.col("reviews_total") + pl.col("n_users") // 3),
        )
        .with_columns(
            reviews_positive=(pl.col("reviews_total") * pl.col("positive_share")).round().cast(pl.Int64),
        )
        .drop("n_users", "positive_share")
    )
    print(items.describe().select("statistic", "price", "commission_rate", "reviews_total"))

# %% 3. A leak-free split in time
if __name__ == "__main__":
    data = kocrank.Dataset.from_frames(orders, items)
    train, test = data.split(at=ARGS.split, window=ARGS.window)
    print(data.summary())
    print(f"train: {train.n_orders:,} orders before {ARGS.split}; test: {test.n_orders:,} orders in the {ARGS.window} after")

# %% 4. Train auto (the default) and two named models
if __name__ == "__main__":
    auto_config = {"seed": ARGS.seed} if ARGS.budget is None else {"seed": ARGS.seed, "budget_seconds": ARGS.budget}
    config_of = {"auto": {"model": "auto", "auto": auto_config}}
    config_of.update({m: m for m in ARGS.models.split(",") if m})
    models, fit_seconds = {}, {}
    for name, config in config_of.items():
        t = time.perf_counter()
        models[name] = kocrank.train(train, config, quiet=ARGS.quiet)
        fit_seconds[name] = time.perf_counter() - t
        print(f"{name}: {models[name]!r}, {fit_seconds[name]:.1f} s")
    print("auto chose:", models["auto"].selection["chosen_label"], "-", models["auto"].selection["reason"])

# %% 5. Compare: per-promoter NDCG@20 and a paired test per pair of models
if __name__ == "__main__":
    per = {n: kocrank.evaluate(m, test, k=[20], per_promoter=True, name=n) for n, m in models.items()}
    names = list(models)
    print(f"{'model':<12} {'NDCG@20':>8} {'commission@20 (simulated, £)':>29}")
    for n in names:
        at20 = per[n].filter(pl.col("k") == 20)
        print(f"{n:<12} {at20['ndcg'].mean():8.4f} {at20['commission'].mean():29.2f}")
    print("paired differences of per-promoter NDCG@20 (a - b):")
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            r = paired(per[a], per[b], 20, resamples=2000, seed=ARGS.seed)
            print(
                f"  {a} - {b}: {r['mean']:+.4f} over {r['n']} promoters, 95% bootstrap "
                f"[{r['lo']:+.4f}, {r['hi']:+.4f}], paired t = {r['t']:.2f}, p = {r['p']:.3g}"
            )

# %% 6. Plot NDCG@K per model
if __name__ == "__main__":
    import matplotlib

    if "ipykernel" not in sys.modules:
        matplotlib.use("Agg")  # files only, no display needed
    import matplotlib.pyplot as plt

    curves = pl.concat(
        [
            kocrank.evaluate(m, test, k=KS, bootstrap=0, name=n).filter(pl.col("dimension") == "overall")
            for n, m in models.items()
        ]
    )
    fig, ax = plt.subplots(figsize=(6, 4))
    for n in names:
        c = curves.filter(pl.col("model") == n).sort("k")
        ax.plot(c["k"], c["ndcg"], marker="o", label=n)
    ax.set_xscale("log")
    ax.set_xticks(KS, [str(k) for k in KS])
    ax.set_xlabel("K")
    ax.set_ylabel("NDCG@K")
    ax.set_title(f"UCI Online Retail, test {ARGS.window} from {ARGS.split}")
    ax.legend()
    fig.tight_layout()
    png = OUT / "uci_ndcg_at_k.png"
    fig.savefig(png, dpi=120)
    plt.close(fig)
    print(f"wrote {png}")

# %% 7. Rank every promoter in a spawn pool from the pickled model
if __name__ == "__main__":
    model = models["auto"]
    ids = test.promoter_ids()
    here = model.rank(ids, k=20)
    size = max(1, math.ceil(len(ids) / (4 * ARGS.workers)))
    chunks = [ids[i : i + size] for i in range(0, len(ids), size)]
    t = time.perf_counter()
    # A bound method of a Model pickles with the model (through Model.to_bytes), so the
    # workers need no function of this file.
    with multiprocessing.get_context("spawn").Pool(ARGS.workers) as pool:
        pooled = pl.concat(pool.map(model.rank, chunks))
    print(
        f"pool of {ARGS.workers}: {len(ids)} promoters in {len(chunks)} chunks, "
        f"{time.perf_counter() - t:.1f} s; model pickle {len(pickle.dumps(model)) / 1e6:.1f} MB"
    )
    if not pooled.equals(here):
        print("FAILED: the pooled lists differ from the in-process ones", file=sys.stderr)
        sys.exit(1)
    print(f"pooled lists equal the in-process ones ({here.height} rows)")
    print(f"done in {time.perf_counter() - T0:.0f} s")
