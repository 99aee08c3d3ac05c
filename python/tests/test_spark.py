"""Batch ranking on Spark (local mode) equals single-machine ranking, row for row."""

import os
import shutil
import sys

import polars as pl
import pytest

import kocrank

pytest.importorskip("pyspark")
pytest.importorskip("pyarrow")
pytest.importorskip("pandas")

HAS_JAVA = shutil.which("java") is not None or bool(os.environ.get("JAVA_HOME"))
pytestmark = pytest.mark.skipif(not HAS_JAVA, reason="Java is not installed: the Spark test needs Java 17")


@pytest.fixture(scope="module")
def spark():
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("kocrank-test")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.memory", "1g")
        # Small Arrow batches, so each task ranks several.
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "37")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def test_rank_dataframe_equals_batch_output(spark, model, split, tmp_path):
    from kocrank.spark import rank_dataframe

    train, _ = split
    path = tmp_path / "profile.kocrank"
    model.save(path)
    ids = train.promoter_ids() + ["newcomer-1", "newcomer-2"]
    df = spark.createDataFrame([(i,) for i in ids], "promoter_id string").repartition(3)
    ranked = rank_dataframe(df, str(path), k=10)
    assert [f.name for f in ranked.schema.fields] == ["promoter_id", "rank", "item_id", "score"]
    rows = ranked.collect()
    got = pl.DataFrame(
        [tuple(r) for r in rows],
        schema={"promoter_id": pl.String, "rank": pl.Int32, "item_id": pl.String, "score": pl.Float32},
        orient="row",
    ).sort("promoter_id", "rank")
    expected = kocrank.Model.load(path).rank(ids, 10).sort("promoter_id", "rank")
    assert got.height == len(ids) * 10
    assert got.equals(expected)

    # Each Python worker loaded the model file once, however many tasks it ran.
    def loads(batches):
        import os

        import pyarrow as pa

        from kocrank import spark as ks

        for _ in batches:
            # As a ranking task does: the model of this worker, loaded at most once.
            ks._model(model_path)
            yield pa.RecordBatch.from_pydict({"pid": [os.getpid()], "loads": [ks._LOADS]})

    model_path = str(path)
    per_worker = df.mapInArrow(loads, "pid long, loads long").collect()
    # Every task reports, and each worker has loaded the file exactly once by then,
    # whatever number of tasks (3 partitions on 2 cores) it ran.
    assert len(per_worker) >= df.rdd.getNumPartitions(), per_worker
    assert all(r["loads"] == 1 for r in per_worker), per_worker


def test_bad_arguments(spark, tmp_path):
    from kocrank.spark import rank_dataframe

    df = spark.createDataFrame([("p",)], "promoter_id string")
    with pytest.raises(FileNotFoundError):
        rank_dataframe(df, str(tmp_path / "missing.kocrank"), k=5)
    with pytest.raises(ValueError):
        rank_dataframe(df, str(tmp_path / "missing.kocrank"), k=0)
