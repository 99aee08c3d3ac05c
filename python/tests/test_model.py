import datetime as dt
import errno
import os

import polars as pl
import pytest

import kocrank


def test_generate_is_seeded(world):
    again = kocrank.generate("tiny", seed=42)
    assert world.n_promoters == again.n_promoters == 200
    assert world.n_orders == again.n_orders > 5000
    assert world.promoter_ids() == again.promoter_ids()
    assert "200 promoters" in repr(world)


def test_split_is_temporal(world, split):
    train, test = split
    assert train.n_orders + test.n_orders <= world.n_orders
    assert train.time_range[1] < test.time_range[0]
    # An explicit date gives the same split as the timestamp it stands for.
    at = test.time_range[0] - test.time_range[0] % 86400
    a, b = world.split(at=at, window=30 * 86400)
    assert (a.n_orders, b.n_orders) == (train.n_orders, test.n_orders)


def test_rank_returns_a_polars_frame(model, split):
    train, _ = split
    ids = train.promoter_ids()[:3] + ["someone-new"]
    top = model.rank(ids, k=7)
    assert isinstance(top, pl.DataFrame)
    assert top.columns == ["promoter_id", "rank", "item_id", "score"]
    assert top.dtypes == [pl.String, pl.Int32, pl.String, pl.Float32]
    assert top.height == 4 * 7
    assert top["promoter_id"].unique(maintain_order=True).to_list() == ids
    for _, g in top.group_by("promoter_id"):
        assert g["rank"].to_list() == list(range(1, 8))
        assert g["score"].is_sorted(descending=True)
        assert g["item_id"].n_unique() == 7


def test_rank_accepts_series_arrow_and_a_single_id(model, split):
    pa = pytest.importorskip("pyarrow")
    train, _ = split
    ids = train.promoter_ids()[:5]
    expected = model.rank(ids, 5)
    assert model.rank(pl.Series(ids), 5).equals(expected)
    assert model.rank(pa.array(ids), 5).equals(expected)
    one = model.rank(ids[0], 5)
    assert one.equals(expected.filter(pl.col("promoter_id") == ids[0]))
    table = model.rank(ids, 5, frame="pyarrow")
    assert isinstance(table, pa.Table)
    assert pl.from_arrow(table).equals(expected)


def test_rank_overrides(model, split):
    train, _ = split
    pid = train.promoter_ids()[0]
    items = train.item_ids()[:10]
    top = model.rank([pid], 20, candidates=items)
    assert set(top["item_id"]) <= set(items)
    first = top["item_id"][0]
    again = model.rank([pid], 20, candidates=items, exclude=[first])
    assert first not in again["item_id"].to_list()
    new = model.rank(["newcomer"], 5, channel="courier", city_tier=2)
    assert new.height == 5
    # The segment shapes a newcomer's list: her segment's popularity.
    lists = {
        seg: model.rank(["newcomer"], 20, channel=seg[0], city_tier=seg[1])["item_id"].to_list()
        for seg in [("courier", 2), ("mother", 2), ("courier", 5)]
    }
    assert len({tuple(v) for v in lists.values()}) == 3
    with pytest.raises(kocrank.InvalidRequestError, match="unknown field `colour`"):
        model.rank([pid], 5, colour="red")
    with pytest.raises(ValueError, match="candidates.*unknown item \"nope\""):
        model.rank([pid], 5, candidates=["nope"])


def test_bad_k_is_a_value_error(model):
    with pytest.raises(kocrank.InvalidRequestError, match='field "k"'):
        model.rank(["P000001"], 0)
    with pytest.raises(ValueError, match="outside 1..=10000"):
        model.rank(["P000001"], 10_001)
    with pytest.raises(ValueError, match="-3 is outside 1..=10000"):
        model.rank(["P000001"], -3)
    with pytest.raises(ValueError, match='promoter_ids: column "promoter_id": found column type Boolean'):
        import pyarrow as pa

        model.rank(pa.array([True]), 3)


def test_save_and_load_rank_identically(model, split, tmp_path):
    train, _ = split
    path = tmp_path / "profile.kocrank"
    model.save(path)
    back = kocrank.Model.load(str(path))
    assert back.kind == "profile"
    assert back.n_items == model.n_items
    ids = train.promoter_ids()
    assert back.rank(ids, 10).equals(model.rank(ids, 10))


def test_model_files_errors_are_os_errors(tmp_path):
    with pytest.raises(OSError, match="missing.kocrank"):
        kocrank.Model.load(tmp_path / "missing.kocrank")
    bad = tmp_path / "bad.kocrank"
    bad.write_bytes(b"hello, not a model")
    with pytest.raises(kocrank.CorruptModelError, match="corrupt model file"):
        kocrank.Model.load(bad)
    with pytest.raises(kocrank.KocrankError):
        kocrank.Model.load(bad)


def test_explain(model, split):
    train, _ = split
    pid = train.promoter_ids()[0]
    item = model.rank([pid], 1)["item_id"][0]
    why = model.explain(pid, item)
    assert why["position"] == 1
    assert why["item_id"] == item
    assert f"{item} is #1 for {pid}" in why["text"]
    with pytest.raises(kocrank.UnknownIdError, match='unknown item "no-such-item"'):
        model.explain(pid, "no-such-item")


def test_train_configs(split):
    train, _ = split
    auto = kocrank.train(train, {"auto": {"max_trials": 4}})
    assert auto.kind not in ("auto", "baseline")
    sel = auto.selection
    assert len(sel["trials"]) >= 4 and sel["holdout"] == "temporal"
    assert sel["chosen_label"].startswith(auto.kind)
    assert kocrank.train(train, "baseline").selection is None
    assert kocrank.train(train, "popularity").kind == "popularity"
    blend = kocrank.train(train, {"model": "blend", "blend": {"gamma": 0.5}})
    assert blend.config["blend"]["gamma"] == 0.5
    assert kocrank.train(train, 'model = "item_knn"').kind == "item_knn"
    with pytest.raises(kocrank.ConfigError, match="modle"):
        kocrank.train(train, {"modle": "profile"})
    with pytest.raises(ValueError, match='unknown model "nonsense"'):
        kocrank.train(train, "nonsense")
    with pytest.raises(ValueError, match="half_life_days"):
        kocrank.train(train, {"popularity": {"half_life_days": -1.0}})


def test_evaluate_has_the_segment_breakdown(model, split):
    _, test = split
    report = kocrank.evaluate(model, test, k=[5, 10, 20])
    assert isinstance(report, pl.DataFrame)
    assert report.columns[:5] == ["model", "dimension", "segment", "promoters", "k"]
    for metric in ("recall", "ndcg", "commission", "hit_rate", "coverage", "ndcg_lo"):
        assert metric in report.columns
    overall = report.filter(pl.col("dimension") == "overall").sort("k")
    assert overall["k"].to_list() == [5, 10, 20]
    assert overall["segment"].to_list() == ["all"] * 3
    assert set(report["dimension"]) == {"overall", "channel", "city_tier", "history", "inviter"}
    assert ((report["ndcg"] >= 0) & (report["ndcg"] <= 1)).all()
    assert (overall["ndcg_lo"] <= overall["ndcg"]).all()
    assert (overall["ndcg"] <= overall["ndcg_hi"]).all()
    # Segments of one dimension add up to everyone evaluated.
    n = overall["promoters"][0]
    hist = report.filter((pl.col("dimension") == "history") & (pl.col("k") == 5))
    assert hist["promoters"].sum() == n


def test_evaluate_errors(model, split):
    _, test = split
    with pytest.raises(ValueError, match="not a positive cut-off"):
        kocrank.evaluate(model, test, k=[0])
    plain = kocrank.evaluate(model, test, k=[10], bootstrap=0)
    assert plain["ndcg_lo"].null_count() == plain.height


def test_replay_compares_lists_on_the_same_window(world, model):
    # `model` was trained on the tiny world of seed 42 before its last 30 days.
    online = kocrank.replay(model, "tiny", seed=42)
    assert online == kocrank.replay(model, "tiny", seed=42)
    browsing = kocrank.replay(None, "tiny", seed=42)
    assert online["promoters"] == browsing["promoters"] > 0
    assert online["shares"] == browsing["shares"]
    assert online["orders"] > 0 and online["commission"] > 0
    assert set(online) == {"promoters", "shares", "orders", "units", "gmv", "commission", "unknown_items"}
    assert online["unknown_items"] == 0
    # Another replay seed draws other orders from the same shares.
    other = kocrank.replay(model, "tiny", seed=42, replay_seed=5)
    assert other["shares"] == online["shares"] and other["orders"] != online["orders"]
    with pytest.raises(kocrank.InvalidRequestError, match="tiny or small"):
        kocrank.replay(model, "large", seed=42)
    for bad in (0, -3):
        with pytest.raises(kocrank.InvalidRequestError, match="k must be"):
            kocrank.replay(model, "tiny", seed=42, k=bad)
    with pytest.raises(kocrank.InvalidRequestError, match="window"):
        kocrank.replay(model, "tiny", seed=42, window=-5)
    # Where promoters look changes what they pick, not who shares.
    flat = kocrank.replay(model, "tiny", seed=42, position="uniform")
    assert flat["shares"] == online["shares"] and flat != online
    with pytest.raises(kocrank.InvalidRequestError, match="position"):
        kocrank.replay(model, "tiny", seed=42, position="top")


def test_with_gamma_equals_training_at_that_gamma(split):
    train, _ = split
    config = {"model": "blend", "blend": {"gamma": 0.0, "trees": {"count": 20}}}
    at0 = kocrank.train(train, config)
    config["blend"]["gamma"] = 0.75
    at75 = kocrank.train(train, config)
    moved = at0.with_gamma(0.75)
    assert moved.config["blend"]["gamma"] == 0.75 and at0.config["blend"]["gamma"] == 0.0
    ids = ["P000001", "P000002", "P000003"]
    assert moved.rank(ids, k=10).equals(at75.rank(ids, k=10))
    with pytest.raises(kocrank.ConfigError, match="gamma"):
        at0.with_gamma(3.0)


def test_a_newcomer_names_her_inviter(world):
    # With inviter borrowing on, an unknown promoter naming her inviter is ranked from
    # her inviter's categories; without the inviter, from her segment alone.
    m = kocrank.train(
        world,
        {"model": "popularity", "network": {"inviter_orders": 50, "prior_orders": 1}},
    )
    inviter = world.promoter_ids()[0]
    alone = m.rank(["someone-new"], 20)["item_id"].to_list()
    invited = m.rank(["someone-new"], 20, inviter_id=inviter)["item_id"].to_list()
    assert invited != alone
    with pytest.raises(kocrank.InvalidRequestError, match='inviter_id.*"ghost"'):
        m.rank(["someone-new"], 20, inviter_id="ghost")


def test_spark_worker_loads_a_model_file_once(model, tmp_path):
    """The per-worker model cache of kocrank.spark, which needs neither Spark nor Java."""
    from kocrank import spark as ks

    path = tmp_path / "m.kocrank"
    model.save(path)
    before = ks._LOADS
    first = ks._model(str(path))
    assert ks._model(str(path)) is first
    assert ks._LOADS == before + 1
    # A file rewritten in place is a new model, loaded again.
    model.save(path)
    os.utime(path, ns=(0, 0))
    assert ks._model(str(path)) is not first
    assert ks._LOADS == before + 2


def test_ids_follow_one_rule_for_lists_and_series():
    pa = pytest.importorskip("pyarrow")
    pd = pytest.importorskip("pandas")
    np = pytest.importorskip("numpy")
    orders = pl.DataFrame(
        {
            "user_id": [17850, 17850, 13047, 12583, 12583],
            "item_id": [85123, 71053, 85123, 22752, 84029],
            "ts": [1_317_457_560, 1_317_500_000, 1_317_600_000, 1_317_600_100, 1_317_600_200],
        }
    )
    m = kocrank.train(kocrank.Dataset.from_frames(orders), "popularity")
    want = m.rank(pl.Series([17850, 13047]), 2)
    assert want["promoter_id"].to_list() == ["17850", "17850", "13047", "13047"]
    for ids in ([17850, 13047], (17850, 13047), ["17850", " 13047 "], np.array([17850, 13047]), pd.Series([17850, 13047]), pa.array([17850, 13047]), [17850.0, 13047.0]):
        assert m.rank(ids, 2).equals(want), ids
    assert m.rank(17850, 2).equals(want.head(2))
    # Item ids follow the same rule: ints for candidates, exclude and pairs.
    assert set(m.rank([17850], 2, candidates=[22752])["item_id"]) == {"22752"}
    assert m.score([17850], [85123])["item_id"].to_list() == ["85123"]
    message = r'field "promoter_ids": position 1 \(0-based\): a null, None or empty promoter_id'
    for bad in ([17850, None], ["17850", None], ["17850", ""], ["17850", "  "], [17850.0, float("nan")]):
        for form in (list, pl.Series, pd.Series):
            with pytest.raises(kocrank.InvalidRequestError, match=message):
                m.rank(form(bad), 2)
    with pytest.raises(kocrank.InvalidRequestError, match=r"position 2 \(0-based\): 2.5 is not a whole number"):
        m.rank([1, 2, 2.5], 2)
    with pytest.raises(kocrank.InvalidRequestError, match=r"position 0 \(0-based\): expected a promoter_id.*found bool"):
        m.rank([True], 2)
    with pytest.raises(kocrank.InvalidRequestError, match=r'field "exclude": position 0 \(0-based\): a null'):
        m.rank([17850], 2, exclude=[None])


def test_a_missing_model_file_is_a_file_not_found_error(model, tmp_path):
    path = tmp_path / "missing.kocrank"
    with pytest.raises(FileNotFoundError, match="missing.kocrank") as caught:
        kocrank.Model.load(path)
    assert isinstance(caught.value, kocrank.KocrankIOError)
    assert caught.value.filename == str(path) and caught.value.errno == errno.ENOENT
    with pytest.raises(kocrank.KocrankFileNotFoundError, match="no-such-folder"):
        model.save(tmp_path / "no-such-folder" / "m.kocrank")


def test_frame_pandas_wherever_a_frame_is_returned(split):
    pd = pytest.importorskip("pandas")
    train, test = split
    m = kocrank.train(train, "item_knn")
    ids = train.promoter_ids()[:3]
    item = m.rank(ids[:1], 1)["item_id"][0]
    calls = {
        "rank": lambda f: m.rank(ids, 5, frame=f),
        "similar_items": lambda f: m.similar_items(item, 5, frame=f),
        "score": lambda f: m.score(ids, [item] * 3, frame=f),
        "evaluate": lambda f: kocrank.evaluate(m, test, k=[5], bootstrap=0, frame=f),
    }
    for name, call in calls.items():
        got = call("pandas")
        assert isinstance(got, pd.DataFrame), name
        assert pl.from_pandas(got).equals(call("polars")), name
    with pytest.raises(kocrank.InvalidRequestError, match='"polars", "pyarrow", "pandas"'):
        m.rank(ids, 5, frame="spark")


def test_an_unknown_excluded_item_is_an_error_as_for_candidates(model, split):
    train, _ = split
    pid = train.promoter_ids()[0]
    with pytest.raises(kocrank.InvalidRequestError, match='field "exclude": unknown item "nope"'):
        model.rank([pid], 5, exclude=["nope"])
    with pytest.raises(kocrank.InvalidRequestError, match='field "candidates": unknown item "nope"'):
        model.rank([pid], 5, candidates=["nope"])
    # Both take a Series as promoter_ids does.
    first = model.rank([pid], 5)["item_id"][0]
    assert first not in model.rank([pid], 5, exclude=pl.Series([first]))["item_id"].to_list()
    assert model.rank([pid], 5, candidates=pl.Series([first]))["item_id"].to_list() == [first]


def test_recent_orders_and_now_take_datetimes_and_offsets(model, split):
    train, _ = split
    items = train.item_ids()[:3]
    t = model.trained_until + 3600
    cst = dt.timezone(dt.timedelta(hours=8))
    aware = dt.datetime.fromtimestamp(t, tz=cst)
    naive_utc = dt.datetime.fromtimestamp(t, tz=dt.timezone.utc).replace(tzinfo=None)
    base = model.rank(["newcomer"], 10)
    ints = model.rank(["newcomer"], 10, recent_orders=[{"item_id": i, "ts": t} for i in items])
    assert not ints.equals(base)  # her first orders shape her list
    for ts in (aware, aware.isoformat(), naive_utc, naive_utc.isoformat()):
        got = model.rank(["newcomer"], 10, recent_orders=[{"item_id": i, "ts": ts} for i in items])
        assert got.equals(ints), ts
        assert model.rank(["newcomer"], 10, now=ts).equals(model.rank(["newcomer"], 10, now=t)), ts
    with pytest.raises(kocrank.InvalidRequestError, match=r'recent_orders: position 0 \(0-based\), "ts"'):
        model.rank(["newcomer"], 10, recent_orders=[{"item_id": items[0], "ts": object()}])


def test_spark_rank_batch_gives_null_ids_the_newcomer_list(model):
    """kocrank.spark's per-batch ranking, which needs neither Spark nor Java."""
    pa = pytest.importorskip("pyarrow")
    from kocrank import spark as ks

    ids = pa.array(["P000001", None, "", "someone-new"])
    got = pl.from_arrow(ks._rank_batch(model, ids, 5))
    assert got.height == 20
    assert got["promoter_id"].to_list()[:5] == ["P000001"] * 5
    assert got["promoter_id"][5:15].null_count() == 10
    newcomer = model.rank(["someone-new"], 5)["item_id"].to_list()
    assert got["item_id"][5:10].to_list() == got["item_id"][10:15].to_list() == newcomer
