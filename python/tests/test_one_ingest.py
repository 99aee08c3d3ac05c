"""Files and frames go through one ingest: the same bad table read by the command line
(polars, from the file) and by ``Dataset.from_frames`` (arrow-rs, from a frame) gives
the same dataset and the same messages, row for row."""

import os
import subprocess

import polars as pl
import pytest

import kocrank

ITEMS_CSV = """item_id,category,price,reviews_positive,reviews_total,commission_rate,in_stock
apple,fresh/fruit,300,90,100,0.10,true
pear,fresh/fruit,12.5,10,12,0.12,true
rice,grain/rice,1200,600,520,0.05,true
phone,digital/phone,99900,40,50,x,false
tea,drink/tea,800,5,5,0.2,maybe
apple,fresh/fruit,300,1,1,0.1,true
"""

# `user_id` and `timestamp` are aliases: messages name the column as the file does.
ORDERS_CSV = """user_id,item_id,timestamp,quantity,weight
p1,apple,2023-11-14,1,1
p1,pear,2023-11-15,1,1
p2,rice,2023-11-16,1,
p2,apple,soon,1,
p3,durian,2023-11-18,1,
p3,apple,2023-11-19,0,
p1,apple,2023-11-20,2,-1
p2,apple,1700000000000,1,
,apple,2023-11-21,1,
p3,apple,2023-11-22,1,0.5
"""


def cli():
    path = os.environ.get("KOCRANK_CLI")
    if not path:
        pytest.skip("KOCRANK_CLI is not set (scripts/test-python.sh sets it to the built kocrank)")
    return path


def write(tmp_path):
    items, orders = tmp_path / "items.csv", tmp_path / "orders.csv"
    items.write_text(ITEMS_CSV)
    orders.write_text(ORDERS_CSV)
    return items, orders


def frames(items, orders):
    # As text, as the file reader reads CSV: every cell is converted by the one ingest.
    return dict(
        orders=pl.read_csv(orders, infer_schema=False),
        items=pl.read_csv(items, infer_schema=False),
    )


def test_a_bad_table_gives_one_dataset_and_one_set_of_rejects(tmp_path):
    items, orders = write(tmp_path)
    rejects = tmp_path / "rejects.csv"
    done = subprocess.run(
        [cli(), "train", "--orders", str(orders), "--items", str(items), "--lenient",
         "--rejects", str(rejects), "--model", "popularity", "--out", str(tmp_path / "m.kocrank")],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 1, done.stderr  # finished, not clean: rows were rejected
    with pytest.warns(kocrank.KocrankDataWarning, match="left out 13 of 16 rows"):
        ds = kocrank.Dataset.from_frames(**frames(items, orders), strict=False)

    assert f"loaded {ds.summary()}" in done.stderr, done.stderr
    from_file = pl.read_csv(rejects, infer_schema=False)
    table = {str(items): "items", str(orders): "orders"}
    from_file = from_file.with_columns(
        pl.col("file").replace_strict(table).alias("table"), pl.col("row").cast(pl.Int64)
    ).select("table", "row", "column", "code", "reason")
    from_frame = ds.rejects.select("table", pl.col("row").cast(pl.Int64), "column", "code", "reason")
    assert from_frame.to_dicts() == from_file.to_dicts()
    # Every kind of fault in the tables above was met, by both.
    assert from_frame.height == 13
    assert set(from_frame["column"]) >= {"price", "reviews_positive", "commission_rate",
                                         "in_stock", "item_id", "timestamp", "quantity",
                                         "weight", "user_id"}


def test_a_bad_table_stops_a_strict_load_with_one_message(tmp_path):
    items, orders = write(tmp_path)
    done = subprocess.run(
        [cli(), "train", "--orders", str(orders), "--items", str(items), "--model", "popularity",
         "--out", str(tmp_path / "m.kocrank")],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 2
    with pytest.raises(kocrank.InvalidDataError) as e:
        kocrank.Dataset.from_frames(**frames(items, orders))
    # The source is named differently (the file's path, the frame's table); the rest is
    # one message: row, column, what was found and what was expected.
    frame_message = str(e.value)
    assert frame_message.startswith("items: row 2, column \"price\": "), frame_message
    assert frame_message.removeprefix("items") in done.stderr, done.stderr
