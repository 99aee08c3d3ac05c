import copy
import datetime as dt
import math
import multiprocessing
import pickle
import warnings

import polars as pl
import pytest

import kocrank

ITEMS = pl.DataFrame(
    {
        "item_id": ["apple", "pear", "rice", "phone"],
        "category": ["fresh/fruit", "fresh/fruit", "grain/rice", "digital/phone"],
        "price": [300, 250, 1200, 99900],
        "reviews_positive": [90, 10, 500, 40],
        "reviews_total": [100, 12, 520, 50],
        "commission_rate": [0.10, 0.12, 0.05, 0.02],
        "seller": ["self_operated", "marketplace", "marketplace", "self_operated"],
        "in_stock": [True, True, True, False],
    }
)
DAY = 86400
T0 = 1_700_000_000
ORDERS = pl.DataFrame(
    {
        "promoter_id": ["p1", "p1", "p2", "p2", "p3", "p1", "p2"],
        "item_id": ["apple", "pear", "rice", "apple", "phone", "rice", "pear"],
        "ts": [T0, T0 + DAY, T0 + 2 * DAY, T0 + 3 * DAY, T0 + 4 * DAY, T0 + 40 * DAY, T0 + 41 * DAY],
    }
)
PROMOTERS = pl.DataFrame(
    {
        "promoter_id": ["p1", "p2", "p3"],
        "channel": ["mother", "reseller", "courier"],
        "city_tier": [1, 2, 3],
        "inviter_id": [None, "p1", "p1"],
    }
)


def test_polars_frames_load():
    ds = kocrank.Dataset.from_frames(ORDERS, items=ITEMS, promoters=PROMOTERS)
    assert (ds.n_items, ds.n_promoters, ds.n_orders) == (4, 3, 7)
    assert ds.item_ids() == ["apple", "pear", "rice", "phone"]
    assert ds.rejects.height == 0
    train, test = ds.split(at=T0 + 30 * DAY, window="30d")
    assert (train.n_orders, test.n_orders) == (5, 2)
    model = kocrank.train(train, "profile")
    top = model.rank(["p1"], k=3)
    # phone is out of stock; every list is drawn from the catalogue.
    assert "phone" not in top["item_id"].to_list()


def test_pyarrow_and_pandas_frames_give_the_same_dataset():
    pa = pytest.importorskip("pyarrow")
    pd = pytest.importorskip("pandas")
    ref = kocrank.Dataset.from_frames(ORDERS, items=ITEMS, promoters=PROMOTERS)
    for conv in (lambda f: f.to_arrow(), lambda f: f.to_pandas()):
        ds = kocrank.Dataset.from_frames(conv(ORDERS), items=conv(ITEMS), promoters=conv(PROMOTERS))
        assert ds.summary() == ref.summary()
        assert ds.item_ids() == ref.item_ids()
    # A pyarrow RecordBatchReader of several batches streams in.
    reader = pa.RecordBatchReader.from_batches(
        ORDERS.to_arrow().schema, ORDERS.to_arrow().to_batches(max_chunksize=2)
    )
    assert kocrank.Dataset.from_frames(reader).n_orders == 7
    # A pandas frame alone holds every order of the polars one.
    assert kocrank.Dataset.from_frames(ORDERS.to_pandas()).n_orders == ORDERS.height


def test_orders_alone_with_aliases_and_datetimes():
    orders = pl.DataFrame(
        {
            "user_id": [17850, 17850, 13047],
            "item_id": ["85123A", "71053", "85123A"],
            "timestamp": [dt.datetime(2011, 10, 1, 8, 26), dt.datetime(2011, 10, 2), dt.datetime(2011, 10, 3)],
        }
    )
    ds = kocrank.Dataset.from_frames(orders)
    assert ds.promoter_ids() == ["17850", "13047"]
    assert ds.time_range == (1_317_457_560, 1_317_600_000)
    dates = orders.with_columns(pl.col("timestamp").dt.date())
    assert kocrank.Dataset.from_frames(dates).time_range == (1_317_427_200, 1_317_600_000)
    text = orders.with_columns(pl.col("timestamp").dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert kocrank.Dataset.from_frames(text).time_range == ds.time_range


def test_nan_commission_is_a_value_error_naming_the_column():
    items = ITEMS.with_columns(pl.Series("commission_rate", [0.1, math.nan, 0.05, 0.02]))
    with pytest.raises(ValueError, match=r'items: row 2, column "commission_rate": NaN is not a finite number'):
        kocrank.Dataset.from_frames(ORDERS, items=items)
    with pytest.raises(kocrank.InvalidDataError):
        kocrank.Dataset.from_frames(ORDERS, items=items)


def test_pandas_nan_commission_is_a_value_error_too():
    pytest.importorskip("pandas")
    items = ITEMS.to_pandas()
    items.loc[2, "commission_rate"] = float("nan")
    with pytest.raises(ValueError, match=r'row 3, column "commission_rate"'):
        kocrank.Dataset.from_frames(ORDERS.to_pandas(), items=items)


def test_wrong_column_type_is_a_value_error_naming_the_column():
    items = ITEMS.with_columns(pl.col("commission_rate") > 0.1)
    with pytest.raises(ValueError, match=r'items: column "commission_rate": found column type Boolean, expected a number'):
        kocrank.Dataset.from_frames(ORDERS, items=items)
    items = ITEMS.with_columns(pl.col("price").cast(pl.String) + "¥")
    with pytest.raises(ValueError, match=r'items: row 1, column "price": cannot read "300¥" as an integer'):
        kocrank.Dataset.from_frames(ORDERS, items=items)
    items = ITEMS.with_columns(pl.col("price") / 100)
    with pytest.raises(ValueError, match=r'column "price": 2.5 is not a whole number; prices are integer cents'):
        kocrank.Dataset.from_frames(ORDERS, items=items)
    orders = ORDERS.with_columns(pl.concat_list("ts"))
    with pytest.raises(ValueError, match=r'orders: column "ts": found column type LargeList\(Int64\), expected a timestamp'):
        kocrank.Dataset.from_frames(orders)
    orders = ORDERS.with_columns(pl.col("ts") * 1000)
    with pytest.raises(ValueError, match=r'column "ts".*milliseconds'):
        kocrank.Dataset.from_frames(orders)


def test_missing_column_lists_what_was_found():
    with pytest.raises(ValueError, match=r'orders: missing required column "ts" \(found: promoter_id, item_id\)'):
        kocrank.Dataset.from_frames(ORDERS.drop("ts"))


def test_not_a_frame():
    with pytest.raises(kocrank.InvalidDataError, match="orders: expected a frame"):
        kocrank.Dataset.from_frames([1, 2, 3])


def test_strict_stops_at_unknown_item_and_lenient_reports_it():
    orders = pl.concat([ORDERS, pl.DataFrame({"promoter_id": ["p9"], "item_id": ["SKU-991"], "ts": [T0]})])
    with pytest.raises(ValueError, match=r'orders: row 8, column "item_id": unknown item "SKU-991"'):
        kocrank.Dataset.from_frames(orders, items=ITEMS)
    with pytest.warns(kocrank.KocrankDataWarning, match=r"left out 1 of 12 rows read; orders: 1 of 8 rows \(unknown_id: 1\)"):
        ds = kocrank.Dataset.from_frames(orders, items=ITEMS, strict=False)
    assert ds.n_orders == 7
    rejects = ds.rejects
    assert rejects.columns == ["table", "row", "column", "code", "reason"]
    assert rejects.rows() == [("orders", 8, "item_id", "unknown_id", 'unknown item "SKU-991" (not in the items table)')]


def test_lenient_keeps_counts_whole():
    items = ITEMS.with_columns(pl.Series("commission_rate", [0.1, math.nan, 1.7, 0.02]))
    with pytest.warns(kocrank.KocrankDataWarning):
        ds = kocrank.Dataset.from_frames(ORDERS, items=items, strict=False)
    # pear and rice are rejected, so are the orders naming them.
    assert ds.n_items == 2
    r = ds.rejects
    assert r.filter(pl.col("table") == "items")["row"].to_list() == [2, 3]
    assert ds.n_orders + r.filter(pl.col("table") == "orders").height == ORDERS.height
    assert r["reason"][0] == "NaN is not a finite number"
    assert r["reason"][1] == "1.7 is outside [0, 1]; rates are fractions (write 17% as 0.17)"


def test_no_accepted_order_is_an_error():
    with pytest.raises(kocrank.EmptyDataError, match="none of the 1 order rows"):
        kocrank.Dataset.from_frames(
            pl.DataFrame({"promoter_id": ["p"], "item_id": ["x"], "ts": [-5]}), strict=False
        )


def test_categorical_and_large_string_columns():
    promoters = PROMOTERS.with_columns(pl.col("channel").cast(pl.Categorical))
    items = ITEMS.with_columns(pl.col("seller").cast(pl.Enum(["self_operated", "marketplace"])))
    ds = kocrank.Dataset.from_frames(ORDERS, items=items, promoters=promoters)
    assert ds.summary() == kocrank.Dataset.from_frames(ORDERS, items=ITEMS, promoters=PROMOTERS).summary()
    pa = pytest.importorskip("pyarrow")
    big = ORDERS.to_arrow().cast(
        pa.schema([("promoter_id", pa.large_string()), ("item_id", pa.large_string()), ("ts", pa.int32())])
    )
    assert kocrank.Dataset.from_frames(big).n_orders == 7


def test_bad_channel_names_the_column():
    promoters = PROMOTERS.with_columns(pl.Series("channel", ["mother", "pirate", "courier"]))
    with pytest.raises(ValueError, match=r'promoters: row 2, column "channel"'):
        kocrank.Dataset.from_frames(ORDERS, promoters=promoters)


def _lenient_world():
    """Orders with three kinds of bad row and a column outside the schema."""
    items = ITEMS.with_columns(pl.Series("commission_rate", [0.1, 1.7, 0.05, 0.02]), pl.lit("x").alias("colour"))
    orders = pl.concat(
        [
            ORDERS,
            pl.DataFrame({"promoter_id": ["p9", "p9", "p9"], "item_id": ["SKU-991", "apple", "apple"], "ts": [T0, -5, T0]}),
        ]
    ).with_columns(pl.lit(4.5).alias("rating"), pl.col("promoter_id").alias("user_id"))
    return orders, items


def test_lenient_load_warns_with_counts_per_reason_and_ignored_columns():
    orders, items = _lenient_world()
    with pytest.warns(kocrank.KocrankDataWarning) as caught:
        ds = kocrank.Dataset.from_frames(orders, items=items, strict=False)
    assert len(caught) == 1
    text = str(caught[0].message)
    # The rows left out of those read, per frame and per reason code.
    assert "left out 5 of 14 rows read" in text
    assert "items: 1 of 4 rows (out_of_range: 1)" in text
    assert "orders: 4 of 10 rows (rejected_reference: 2, out_of_range: 1, unknown_id: 1)" in text
    # Columns outside the schema (user_id is an alias, unused next to promoter_id).
    assert "Ignored columns (not in the schema): items: colour; orders: rating, user_id" in text
    # The warning points at the caller's line, not inside kocrank.
    assert caught[0].filename == __file__
    report = ds.load_report
    assert (report["strict"], report["read"], report["accepted"], report["rejected"]) == (False, 14, 9, 5)
    assert [(t["table"], t["read"], t["accepted"], t["rejected"]) for t in report["tables"]] == [
        ("items", 4, 3, 1),
        ("orders", 10, 6, 4),
    ]
    assert report["ignored_columns"] == {"items": ["colour"], "orders": ["rating", "user_id"]}
    assert report["rejected_by_reason"] == {
        "items": {"out_of_range": 1},
        "orders": {"out_of_range": 1, "rejected_reference": 2, "unknown_id": 1},
    }
    codes = ds.rejects.group_by("code").len().sort("code").rows()
    assert codes == [("out_of_range", 2), ("rejected_reference", 2), ("unknown_id", 1)]


def test_a_clean_or_strict_load_does_not_warn_but_reports_ignored_columns():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = kocrank.Dataset.from_frames(ORDERS.with_columns(pl.lit(1).alias("note")), strict=False)
        strict = kocrank.Dataset.from_frames(ORDERS, items=ITEMS)
    assert ds.load_report["ignored_columns"] == {"orders": ["note"]}
    assert ds.load_report["rejected"] == 0
    assert strict.load_report["strict"] is True and strict.load_report["ignored_columns"] == {}


def test_reason_codes_cover_the_faults_of_each_table():
    items = pl.DataFrame(
        {
            "item_id": ["a", "a", "b", "c", "d", ""],
            "category": ["x", "x", "x/", "x", "x", "x"],
            "price": [1, 1, 1, 1, -3, 1],
            "seller": ["marketplace", "marketplace", "marketplace", "nobody", "marketplace", "marketplace"],
        }
    )
    promoters = pl.DataFrame({"promoter_id": ["p", "q", "r"], "channel": ["mother", "mother", "pirate"], "inviter_id": [None, "q", None]})
    orders = pl.DataFrame({"promoter_id": ["p", "p", "p"], "item_id": ["a", "a", "a"], "ts": ["2020-01-01", "yesterday", "2020-01-02"], "quantity": [1.0, 1.0, 2.5]})
    with pytest.warns(kocrank.KocrankDataWarning):
        ds = kocrank.Dataset.from_frames(orders, items=items, promoters=promoters, strict=False)
    got = set(ds.rejects.select("table", "column", "code").iter_rows())
    assert got == {
        ("items", "item_id", "duplicate_id"),
        ("items", "category", "bad_category"),
        ("items", "seller", "unknown_value"),
        ("items", "price", "out_of_range"),
        ("items", "item_id", "missing_value"),
        ("promoters", "inviter_id", "self_invite"),
        ("promoters", "channel", "unknown_value"),
        ("orders", "ts", "unreadable"),
        ("orders", "quantity", "not_a_number"),
    }, ds.rejects
    dup = ds.rejects.filter(pl.col("reason").str.starts_with("duplicate"))
    assert dup["code"].to_list() == ["duplicate_id"]


def test_datasets_pickle_and_deepcopy_through_bytes():
    orders, items = _lenient_world()
    with pytest.warns(kocrank.KocrankDataWarning):
        ds = kocrank.Dataset.from_frames(orders, items=items, promoters=PROMOTERS.vstack(pl.DataFrame({"promoter_id": ["p9"], "channel": ["other"], "city_tier": [1], "inviter_id": ["ghost"]})), strict=False)
    for clone in (pickle.loads(pickle.dumps(ds)), copy.deepcopy(ds), kocrank.Dataset.from_bytes(ds.to_bytes())):
        assert clone.to_bytes() == ds.to_bytes()
        assert clone.summary() == ds.summary()
        assert clone.item_ids() == ds.item_ids() and clone.promoter_ids() == ds.promoter_ids()
        assert clone.rejects.equals(ds.rejects)
        assert clone.load_report == ds.load_report
    assert ds.load_report["unresolved_inviters"] == [{"promoter_id": "p9", "inviter_id": "ghost"}]
    # A generated world round-trips whole: the same model trains on the copy.
    world = kocrank.generate("tiny", seed=3)
    back = pickle.loads(pickle.dumps(world))
    assert back.to_bytes() == world.to_bytes()
    a = kocrank.train(world.split()[0], "profile").rank(["P000001", "P000002"], 10)
    b = kocrank.train(back.split()[0], "profile").rank(["P000001", "P000002"], 10)
    assert a.equals(b)
    data = bytearray(world.to_bytes())
    data[len(data) // 2] ^= 0xFF
    with pytest.raises(kocrank.InvalidDataError, match="checksum"):
        kocrank.Dataset.from_bytes(bytes(data))
    with pytest.raises(kocrank.InvalidDataError, match="not a kocrank dataset"):
        kocrank.Dataset.from_bytes(b"KOCRPD01 short")


def test_datasets_cross_process_boundaries():
    ds = kocrank.Dataset.from_frames(ORDERS, items=ITEMS, promoters=PROMOTERS)
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        assert pool.apply(len, (ds,)) == ds.n_orders == 7


def test_times_with_a_utc_offset_and_aware_datetimes():
    # 08:00 at +08:00 is midnight UTC.
    midnight = 1_323_388_800  # 2011-12-09T00:00:00Z
    text = pl.DataFrame(
        {
            "promoter_id": ["a", "b", "c", "d"],
            "item_id": ["x", "y", "x", "y"],
            "ts": ["2011-12-09T08:00:00+08:00", "2011-12-09T00:00:00Z", "2011-12-08T19:00:00-0500", "2011-12-09T09:00:00+08"],
        }
    )
    ds = kocrank.Dataset.from_frames(text)
    assert ds.time_range == (midnight, midnight + 3600)
    # A naive datetime (and text without an offset) is UTC; an aware one is the
    # instant it names, whatever its zone.
    cst = dt.timezone(dt.timedelta(hours=8))
    naive = dt.datetime(2011, 12, 9, 0, 30)
    aware = dt.datetime(2011, 12, 9, 8, 30, tzinfo=cst)
    for at in (midnight + 1800, naive, aware, "2011-12-09T08:30:00+08:00", "2011-12-09T00:30:00"):
        train, test = ds.split(at=at, window="1d")
        assert (train.n_orders, test.n_orders) == (3, 1), at
    # Read as wall time in UTC, 08:30+08:00 would put every order in train.
    with pytest.raises(kocrank.EmptyDataError):
        ds.split(at=dt.datetime(2011, 12, 9, 8, 30), window="1d")
    with pytest.raises(kocrank.InvalidRequestError, match="offset"):
        ds.split(at="2011-12-09T08:30:00+25:00")
    # An aware datetime column of a frame is its UTC instant too.
    instants = [dt.datetime(2011, 12, 9, 8, tzinfo=cst)] * 3 + [dt.datetime(2011, 12, 9, 9, tzinfo=cst)]
    frame = text.with_columns(
        pl.Series("ts", instants, dtype=pl.Datetime("us", "UTC")).dt.convert_time_zone("Asia/Shanghai")
    )
    assert kocrank.Dataset.from_frames(frame).time_range == ds.time_range


def test_an_event_log_loads_views_and_carts_and_keeps_them_through_pickling():
    # The column names of a public event log, read through the core's alias table.
    events = pl.DataFrame(
        {
            "user_id": ["a", "a", "b", "b"],
            "product_id": ["x", "y", "x", "z"],
            "event_time": ["2019-10-01 00:00:00 UTC", "2019-10-01T09:00:00+08:00", "2019-10-01 02:00:00 UTC", "2019-10-01 03:00:00 UTC"],
            "event_type": ["view", "purchase", "cart", "pv"],
        }
    )
    ds = kocrank.Dataset.from_frames(events)
    assert ds.n_orders == 4
    assert "(2 of them views, 1 carts)" in ds.summary()
    back = pickle.loads(pickle.dumps(ds))
    assert back.summary() == ds.summary()
    assert back.to_bytes() == ds.to_bytes()


def test_a_slash_inside_a_category_level_is_escaped():
    # The Complete Journey's product type `ICE - CRUSHED/CUBED` holds the separator.
    levels = ("FROZEN", "ICE", "ICE - CRUSHED/CUBED")
    items = pl.DataFrame({"item_id": ["ice", "cube"], "category": ["/".join(levels), "FROZEN/ICE"]})
    orders = pl.DataFrame({"promoter_id": ["p1", "p1"], "item_id": ["ice", "cube"], "ts": [T0, T0 + DAY]})
    with pytest.raises(kocrank.InvalidDataError, match="4 levels"):
        kocrank.Dataset.from_frames(orders=orders, items=items)
    assert kocrank.category_path(*levels) == r"FROZEN/ICE/ICE - CRUSHED\/CUBED"
    escaped = items.with_columns(pl.Series("category", [kocrank.category_path(*levels), "FROZEN/ICE"]))
    ds = kocrank.Dataset.from_frames(orders=orders, items=escaped)
    assert ds.load_report["rejected"] == 0 and ds.n_items == 2
    with pytest.raises(ValueError):
        kocrank.category_path()


def _weighted_log(weights):
    """Ten promoters buy `a` and `c`, three buy `a` and `b`; `weights` per row or None."""
    rows = [(f"p{p}", item) for p in range(10) for item in ("a", "c")]
    rows += [(f"q{p}", item) for p in range(3) for item in ("a", "b")]
    frame = {
        "promoter_id": [p for p, _ in rows],
        "item_id": [i for _, i in rows],
        "ts": [T0 + n * 60 for n in range(len(rows))],
    }
    if weights is not None:
        frame["weight"] = [weights(i) for _, i in rows]
    return kocrank.Dataset.from_frames(orders=pl.DataFrame(frame))


def test_a_weight_column_changes_what_the_learned_models_fit():
    cfg = {"model": "item_knn", "item_knn": {"half_life_days": 0, "weighting": "cosine"}}
    plain = kocrank.train(_weighted_log(None), cfg, quiet=True)
    assert plain.similar_items("a", k=1)["item_id"].to_list() == ["c"]
    # `c`'s rows weigh nothing: she still bought it, but it teaches no neighbour.
    light = _weighted_log(lambda item: 0.0 if item == "c" else 1.0)
    assert light.load_report["rejected"] == 0
    weighted = kocrank.train(light, cfg, quiet=True)
    assert weighted.similar_items("a", k=1)["item_id"].to_list() == ["b"]
    # The weights travel through pickling.
    again = kocrank.train(pickle.loads(pickle.dumps(light)), cfg, quiet=True)
    assert again.similar_items("a", k=1)["item_id"].to_list() == ["b"]
    with pytest.raises(kocrank.InvalidDataError, match='column "weight"'):
        _weighted_log(lambda item: -1.0)
    odd = pl.DataFrame(
        {"promoter_id": ["p", "p", "p"], "item_id": ["a", "b", "c"], "ts": [T0] * 3, "weight": [1.0, -2.0, float("nan")]}
    )
    with pytest.warns(kocrank.KocrankDataWarning):
        ds = kocrank.Dataset.from_frames(odd, strict=False)
    assert ds.rejects["code"].to_list() == ["out_of_range", "not_a_number"], ds.rejects


def test_a_config_dict_names_the_key_at_fault():
    train = _weighted_log(None)
    with pytest.raises(kocrank.ConfigError) as e:
        kocrank.train(train, {"model": "item_knn", "events": {"shares": 0.2}}, quiet=True)
    message = str(e.value)
    assert "events.shares" in message and "<json>" not in message and "line 1" not in message, message
