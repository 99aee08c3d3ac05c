"""Shares with receivers (triplet logs: sharer, receiver, item) from frames."""

import pickle

import polars as pl
import pytest

import kocrank

T0 = 1_700_000_000
DAY = 86400
ORDERS = pl.DataFrame(
    {
        "promoter_id": ["p1", "p2", "p2", "p3", "p4", "p4"],
        "item_id": ["apple", "pear", "rice", "rice", "pear", "rice"],
        "ts": [T0, T0 + DAY, T0 + DAY, T0 + 2 * DAY, T0 + 3 * DAY, T0 + 3 * DAY],
    }
)
SHARES = pl.DataFrame(
    {
        "promoter_id": ["p1", "p1", "p2"],
        "receiver_id": ["p3", "p3", None],
        "item_id": ["apple", "apple", "pear"],
        "ts": [T0 + 10, T0 + 20, T0 + DAY],
    }
)


def neighbours_listed(model, promoter):
    return model.rank([promoter], k=3)["item_id"].to_list()


def test_a_triplet_share_log_loads_and_received_shares_can_teach():
    ds = kocrank.Dataset.from_frames(ORDERS, shares=SHARES)
    assert ds.n_shares == 3
    assert ds.rejects.height == 0
    plain = kocrank.train(ds, {"model": "item_knn", "rules": {"exclude_purchased": "always"}})
    weighed = kocrank.train(
        ds,
        {"model": "item_knn", "rules": {"exclude_purchased": "always"}, "events": {"received": 1.0}},
    )
    # p3 bought rice; apple was shared to her twice. Weighed, apple sits next to rice.
    assert neighbours_listed(plain, "p3") != neighbours_listed(weighed, "p3")
    assert neighbours_listed(weighed, "p3")[0] == "apple"


def test_an_unknown_receiver_is_named_or_rejected():
    promoters = pl.DataFrame({"promoter_id": ["p1", "p2", "p3", "p4"]})
    bad = SHARES.with_columns(pl.Series("receiver_id", ["p3", "ghost", None]))
    with pytest.raises(kocrank.KocrankError, match="receiver_id.*ghost|ghost.*receiver_id"):
        kocrank.Dataset.from_frames(ORDERS, promoters=promoters, shares=bad)
    with pytest.warns(kocrank.KocrankDataWarning, match=r"shares: 1 of 3 rows \(unknown_id: 1\)"):
        ds = kocrank.Dataset.from_frames(ORDERS, promoters=promoters, shares=bad, strict=False)
    assert ds.n_shares == 2 and ds.n_promoters == 4
    assert ds.rejects.height == 1


def test_a_newcomers_request_can_carry_her_shares():
    # Two camps of buyers: `a` items (many promoters) and `b` items (a few).
    rows = [(f"pa{p}", f"a{j}") for p in range(8) for j in range(4)]
    rows += [(f"pb{p}", f"b{j}") for p in range(3) for j in range(4)]
    orders = pl.DataFrame(
        {
            "promoter_id": [p for p, _ in rows],
            "item_id": [i for _, i in rows],
            "ts": [T0 + n * 60 for n in range(len(rows))],
        }
    )
    ds = kocrank.Dataset.from_frames(orders)
    cfg = {"model": "item_knn", "network": {"own_shares": 50}}
    m = kocrank.train(ds, cfg, quiet=True)
    shared = [{"item_id": "b1", "ts": "2023-11-15T08:00:00+08:00"}, {"item_id": "b2", "ts": T0 + DAY}]
    plain = m.rank(["zoe"], k=3)["item_id"].to_list()
    from_shares = m.rank(["zoe"], k=3, recent_shares=shared)["item_id"].to_list()
    assert all(i.startswith("a") for i in plain), plain
    assert all(i.startswith("b") for i in from_shares), from_shares
    # A model that does not rank newcomers from shares leaves her list as it was.
    off = kocrank.train(ds, "item_knn", quiet=True)
    assert off.rank(["zoe"], k=3, recent_shares=shared)["item_id"].to_list() == off.rank(["zoe"], k=3)["item_id"].to_list()
    with pytest.raises(kocrank.InvalidRequestError, match="recent_shares"):
        m.rank(["zoe"], k=3, recent_shares=[{"item_id": "b1", "ts": None}])


def test_a_blend_reads_her_shares_and_a_request_adds_to_them():
    world = kocrank.generate("tiny", seed=8)
    cfg = {"model": "blend", "blend": {"learner": "logistic"}}
    m = kocrank.train(world, cfg, quiet=True)
    off = kocrank.train(world, {"model": "blend", "blend": {"learner": "logistic", "share_memory": 0}}, quiet=True)
    pid, why = next(
        (p, w)
        for p in world.promoter_ids()
        for w in [m.explain(p, m.rank([p], 1)["item_id"][0])]
        if w["breakdown"]
    )
    names = [part["name"] for part in why["breakdown"]]
    assert {"shared_item", "share_recency", "shared_leaf", "shared_top"} <= set(names)
    item = why["item_id"]
    assert not any(part["name"].startswith("shared") for part in off.explain(pid, item)["breakdown"])
    # Her shares travel with the model.
    again = pickle.loads(pickle.dumps(m))
    assert again.rank([pid], 10).equals(m.rank([pid], 10))
    # A share sent with the request counts as hers: the shared item scores otherwise.
    n = m.n_items
    fresh = next(i for i in m.rank([pid], 20)["item_id"].to_list() if i != item)
    share = [{"item_id": fresh, "ts": m.trained_until - 3600}]
    score = lambda frame: frame.filter(pl.col("item_id") == fresh)["score"][0]
    assert score(m.rank([pid], n, recent_shares=share)) != score(m.rank([pid], n))
    # Without share features the request's shares change nothing.
    assert off.rank([pid], n, recent_shares=share).equals(off.rank([pid], n))


def test_newcomers_can_follow_what_sells_now():
    # Sixty promoters bought `a` items over days 0-70, five buy `b` items since:
    # thirty days' memory still favours `a`, a week's favours `b`.
    rows = [(f"v{p}", f"a{(p + j) % 5}", (7 * p + 10 * j) % 70) for p in range(60) for j in range(10)]
    rows += [(f"w{p}", f"b{(p + j) % 5}", 70 + (7 * p + 3 * j) % 30) for p in range(5) for j in range(10)]
    orders = pl.DataFrame(
        {
            "promoter_id": [p for p, _, _ in rows],
            "item_id": [i for _, i, _ in rows],
            "ts": [T0 + d * DAY + n for n, (_, _, d) in enumerate(rows)],
        }
    )
    ds = kocrank.Dataset.from_frames(orders)
    thirty = kocrank.train(ds, "item_knn", quiet=True)
    week = kocrank.train(ds, {"model": "item_knn", "network": {"newcomer_half_life_days": 7}}, quiet=True)
    camps = lambda m, who: "".join(i[0] for i in m.rank([who], k=5)["item_id"].to_list())
    assert camps(thirty, "zoe") == "aaaaa"
    assert camps(week, "zoe") == "bbbbb"
    assert week.config["network"]["newcomer_half_life_days"] == 7.0
    # The same change on a trained model, both ways; a regular's list stays.
    assert camps(thirty.with_newcomer_half_life(7.0), "zoe") == "bbbbb"
    assert camps(week.with_newcomer_half_life(None), "zoe") == "aaaaa"
    assert week.rank(["w1"], k=5).equals(thirty.rank(["w1"], k=5))
    with pytest.raises(kocrank.ConfigError, match="newcomer_half_life_days"):
        thirty.with_newcomer_half_life(0.0)
