"""What a model holds (factors, similar items), pair scores, pickling and per-promoter
evaluation."""

import copy
import pickle

import polars as pl
import pytest

import kocrank

np = pytest.importorskip("numpy")


@pytest.fixture(scope="module")
def parts():
    return kocrank.generate("tiny", seed=5).split()


@pytest.fixture(scope="module")
def ials(parts):
    return kocrank.train(parts[0], {"model": "ials", "ials": {"factors": 8}})


def test_factors_are_read_only_numpy_views_of_the_model(ials):
    y, x = ials.item_factors, ials.promoter_factors
    assert y.shape == (ials.n_items, 8) and y.dtype == np.float32
    assert x.shape == (ials.n_promoters, 8)
    assert not y.flags.writeable
    # A view: the same memory every time, no copy.
    assert ials.item_factors.__array_interface__["data"][0] == y.__array_interface__["data"][0]
    with pytest.raises(ValueError):
        y[0, 0] = 1.0
    # The array keeps the model alive.
    m = kocrank.train(kocrank.generate("tiny", seed=5).split()[0], {"model": "ials", "ials": {"factors": 4}})
    held = m.item_factors
    first = held[0].copy()
    del m
    assert (held[0] == first).all()


def test_similar_items_are_the_best_cosines(ials, parts):
    y = ials.item_factors.astype(np.float64)
    ids = parts[0].item_ids()
    norms = np.linalg.norm(y, axis=1)
    cos = y @ y[0] / np.where(norms * norms[0] > 0, norms * norms[0], np.inf)
    cos[0] = -np.inf
    best = int(np.argmax(cos))
    got = ials.similar_items(ids[0], k=3)
    assert got.columns == ["item_id", "score"] and got.height == 3
    assert got["item_id"][0] == ids[best]
    assert abs(got["score"][0] - cos[best]) < 1e-4
    with pytest.raises(kocrank.UnsupportedError):
        kocrank.train(parts[0], "popularity").similar_items(ids[0])
    with pytest.raises(kocrank.UnknownIdError):
        ials.similar_items("no-such-item")


def test_pair_scores_match_rank_and_keep_the_order(parts):
    m = kocrank.train(parts[0], "profile")
    top = m.rank(["P000001", "P000002"], k=5)
    shuffled = top.select("promoter_id", "item_id").reverse()
    scored = m.score(shuffled)
    assert scored.select("promoter_id", "item_id").equals(shuffled)
    want = dict(zip(zip(top["promoter_id"], top["item_id"]), top["score"]))
    for p, i, s in scored.iter_rows():
        assert s == pytest.approx(want[(p, i)], rel=1e-6)
    # Two sequences work too; pandas and pyarrow frames the same way.
    again = m.score(list(shuffled["promoter_id"]), list(shuffled["item_id"]))
    assert again["score"].to_list() == scored["score"].to_list()
    pd = pytest.importorskip("pandas")
    assert m.score(shuffled.to_pandas())["score"].to_list() == scored["score"].to_list()
    with pytest.raises(kocrank.InvalidRequestError, match="no-such-item"):
        m.score(["P000001"], ["no-such-item"])
    with pytest.raises(kocrank.InvalidRequestError, match="2 promoter ids and 1 item ids"):
        m.score(["P000001", "P000002"], [top["item_id"][0]])


def test_models_pickle_and_deepcopy_through_the_model_file(ials):
    for clone in (pickle.loads(pickle.dumps(ials)), copy.deepcopy(ials)):
        assert clone.kind == "ials"
        assert clone.rank(["P000001"], k=10).equals(ials.rank(["P000001"], k=10))
    assert kocrank.Model.from_bytes(ials.to_bytes()).config == ials.config
    with pytest.raises(kocrank.CorruptModelError):
        kocrank.Model.from_bytes(b"not a model")


def test_per_promoter_evaluation_supports_paired_tests(parts):
    train, test = parts
    a = kocrank.train(train, "popularity")
    b = kocrank.train(train, "profile")
    ra = kocrank.evaluate(a, test, k=[10], per_promoter=True, name="pop", bootstrap=0)
    rb = kocrank.evaluate(b, test, k=[10, 10], per_promoter=True, name="prof", bootstrap=0)
    assert set(ra["model"]) == {"pop"} and set(rb["model"]) == {"prof"}
    assert ra["promoter_id"].to_list() == rb["promoter_id"].to_list()
    assert ra["k"].unique().to_list() == [10] and rb.height == ra.height
    # The per-promoter rows average to the summary's overall row.
    summary = kocrank.evaluate(a, test, k=[10], bootstrap=0)
    overall = summary.filter(pl.col("dimension") == "overall")["ndcg"][0]
    assert ra["ndcg"].mean() == pytest.approx(overall, rel=1e-9)
    # Paired differences per promoter: the two models differ on some promoters.
    diff = (rb["ndcg"] - ra["ndcg"]).to_numpy()
    assert np.any(diff != 0)


def test_own_segments_are_a_join_on_the_per_promoter_rows():
    """Any segmentation of one's own, joined to the per-promoter rows, gives the same
    means as the built-in breakdown does for the channel."""
    rng = np.random.default_rng(3)
    n_p, n_i, n_o = 60, 40, 1200
    channels = ["mother", "reseller", "courier"]
    promoters = pl.DataFrame(
        {"promoter_id": [f"p{p}" for p in range(n_p)], "channel": [channels[p % 3] for p in range(n_p)]}
    )
    orders = pl.DataFrame(
        {
            "promoter_id": [f"p{p}" for p in rng.integers(0, n_p, n_o)],
            "item_id": [f"i{i}" for i in rng.zipf(1.5, n_o) % n_i],
            "ts": 1_700_000_000 + np.sort(rng.integers(0, 60 * 86400, n_o)),
        }
    )
    train, test = kocrank.Dataset.from_frames(orders, promoters=promoters).split(at="auto", window="20d")
    m = kocrank.train(train, "popularity", quiet=True)
    rows = kocrank.evaluate(m, test, k=[10], per_promoter=True, bootstrap=0)
    mine = rows.join(promoters.rename({"channel": "region"}), on="promoter_id", how="left")
    assert mine["region"].null_count() == 0
    by_region = mine.group_by("region").agg(pl.col("ndcg").mean()).sort("region")
    summary = kocrank.evaluate(m, test, k=[10], bootstrap=0)
    built_in = summary.filter(pl.col("dimension") == "channel").select("segment", "ndcg").sort("segment")
    assert by_region["region"].to_list() == built_in["segment"].to_list()
    assert by_region["ndcg"].to_list() == pytest.approx(built_in["ndcg"].to_list(), rel=1e-9)
