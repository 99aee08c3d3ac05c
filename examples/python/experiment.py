"""Compare models and blend γ values on a leak-free temporal split, and plot them.

Generates the synthetic world, trains each model on all but the last 30 days, scores
every promoter's list on those 30 days through kocrank's one ranking pipeline, then
writes to ``--out``:

- ``experiment.csv``: one row per (run, K) with every metric;
- ``ndcg_at_k.png``: NDCG@K curves, one per run;
- ``commission_vs_ndcg.png``: Commission@K against NDCG@K at one K, the blend's γ
  values joined by a line (what the value term trades);
- ``replay.png``: what each run's top K would earn if promoters shared from it
  (``kocrank.replay``: the test window replayed by the synthetic world's own funnel),
  commission against orders per promoter, with their own browsing for reference.

Run it from the repository root once the bindings are built
(``bash scripts/test-python.sh`` does that)::

    .venv/bin/python examples/python/experiment.py --scale small --out out/python
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display needed
import matplotlib.pyplot as plt  # noqa: E402
import polars as pl  # noqa: E402

import kocrank  # noqa: E402

KS = [1, 2, 5, 10, 20, 50]


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scale", default="small", choices=["tiny", "small"])
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--models", default="baseline,popularity,profile,ials,item_knn")
    p.add_argument("--gammas", default="0,0.25,0.5,1.0", help="blend value exponents")
    p.add_argument("--k", type=int, default=20, help="the K of the commission plot")
    p.add_argument("--out", default="out/python")
    return p.parse_args(argv)


def runs(models: list[str], gammas: list[float]) -> list[tuple[str, float | None, dict]]:
    """(label, γ or None, configuration) of every run."""
    out = [(m, None, {"model": m}) for m in models]
    out += [(f"blend γ={g:g}", g, {"model": "blend"}) for g in gammas]
    return out


def evaluate_all(train, test, plan, scale: str, seed: int, k: int) -> pl.DataFrame:
    frames = []
    blend, blend_s = None, 0.0
    for label, gamma, config in plan:
        t0 = time.perf_counter()
        if gamma is None:
            model = kocrank.train(train, config)
        else:
            # γ enters at scoring time: the blend is trained once for every γ.
            if blend is None:
                blend = kocrank.train(train, config)
                blend_s = time.perf_counter() - t0
            model = blend.with_gamma(gamma)
        fit_s = time.perf_counter() - t0 if gamma is None else blend_s
        report = kocrank.evaluate(model, test, k=KS, bootstrap=0)
        online = kocrank.replay(model, scale, seed=seed, k=k)
        overall = report.filter(pl.col("dimension") == "overall")
        frames.append(
            overall.with_columns(
                run=pl.lit(label),
                gamma=pl.lit(gamma, dtype=pl.Float64),
                fit_s=pl.lit(fit_s),
                replay_orders=pl.lit(online["orders"]),
                replay_commission=pl.lit(online["commission"]),
            )
        )
        row = overall.filter(pl.col("k") == 20)
        print(
            f"{label:<14} fit {fit_s:6.2f} s  NDCG@20 {row['ndcg'][0]:.4f}  "
            f"Commission@20 {row['commission'][0]:7.2f}  replayed: "
            f"{online['orders']:.2f} orders, {online['commission']:.2f} commission"
        )
    return pl.concat(frames).select("run", "gamma", "fit_s", pl.exclude("run", "gamma", "fit_s"))


def plot_ndcg(table: pl.DataFrame, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for run in table["run"].unique(maintain_order=True):
        r = table.filter(pl.col("run") == run).sort("k")
        style = "--" if run.startswith("blend") else "-"
        ax.plot(r["k"], r["ndcg"], style, marker="o", label=run)
    ax.set_xscale("log")
    ax.set_xticks(KS, [str(k) for k in KS])
    ax.set_xlabel("K")
    ax.set_ylabel("NDCG@K")
    ax.set_title("NDCG@K on the last 30 days")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_commission(table: pl.DataFrame, k: int, path: Path) -> None:
    at_k = table.filter(pl.col("k") == k)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    blend = at_k.filter(pl.col("gamma").is_not_null()).sort("gamma")
    others = at_k.filter(pl.col("gamma").is_null())
    ax.scatter(others["ndcg"], others["commission"], color="tab:blue", label="models")
    ax.plot(blend["ndcg"], blend["commission"], "-o", color="tab:orange", label="blend, by γ")
    for row in at_k.iter_rows(named=True):
        ax.annotate(row["run"], (row["ndcg"], row["commission"]), fontsize=8,
                    textcoords="offset points", xytext=(4, 4))
    ax.set_xlabel(f"NDCG@{k}")
    ax.set_ylabel(f"Commission@{k} (currency units per promoter)")
    ax.set_title(f"What each list earns against how well it ranks (K = {k})")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_replay(table: pl.DataFrame, browsing: dict, k: int, path: Path) -> None:
    runs = table.filter(pl.col("k") == k)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    blend = runs.filter(pl.col("gamma").is_not_null()).sort("gamma")
    others = runs.filter(pl.col("gamma").is_null())
    ax.scatter(others["replay_orders"], others["replay_commission"], color="tab:blue", label="models")
    ax.plot(blend["replay_orders"], blend["replay_commission"], "-o", color="tab:orange", label="blend, by γ")
    ax.scatter([browsing["orders"]], [browsing["commission"]], color="tab:gray", marker="s",
               label="her own browsing")
    for row in runs.iter_rows(named=True):
        ax.annotate(row["run"], (row["replay_orders"], row["replay_commission"]), fontsize=8,
                    textcoords="offset points", xytext=(4, 4))
    ax.set_xlabel("orders per promoter (replayed)")
    ax.set_ylabel("commission per promoter (replayed)")
    ax.set_title(f"If promoters shared from each top {k}: the test window replayed")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.k not in KS:
        raise SystemExit(f"--k must be one of {KS}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    world = kocrank.generate(args.scale, seed=args.seed)
    train, test = world.split(at="auto", window="30d")
    print(f"train: {train.summary()}\ntest:  {test.summary()}")
    models = [m for m in args.models.split(",") if m]
    gammas = [float(g) for g in args.gammas.split(",") if g]
    table = evaluate_all(train, test, runs(models, gammas), args.scale, args.seed, args.k)
    table.write_csv(out / "experiment.csv")
    plot_ndcg(table, out / "ndcg_at_k.png")
    plot_commission(table, args.k, out / "commission_vs_ndcg.png")
    browsing = kocrank.replay(None, args.scale, seed=args.seed, k=args.k)
    plot_replay(table, browsing, args.k, out / "replay.png")
    for name in ("experiment.csv", "ndcg_at_k.png", "commission_vs_ndcg.png", "replay.png"):
        print(f"wrote {out / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
