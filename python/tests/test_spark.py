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


def test_a_null_promoter_id_gets_the_newcomer_list_not_a_failed_job(spark, model, tmp_path):
    from kocrank.spark import rank_dataframe

    path = tmp_path / "profile.kocrank"
    model.save(path)
    df = spark.createDataFrame([("P000001",), (None,), ("",), ("someone-new",)], "promoter_id string")
    rows = rank_dataframe(df, str(path), k=5).collect()
    got = pl.DataFrame(
        [tuple(r) for r in rows],
        schema={"promoter_id": pl.String, "rank": pl.Int32, "item_id": pl.String, "score": pl.Float32},
        orient="row",
    )
    assert got.height == 4 * 5
    nulls = got.filter(pl.col("promoter_id").is_null())
    assert nulls.height == 10
    newcomer = model.rank(["someone-new"], 5)
    for r, item in zip(newcomer["rank"], newcomer["item_id"]):
        assert nulls.filter(pl.col("rank") == r)["item_id"].to_list() == [item, item]
    known = got.filter(pl.col("promoter_id") == "P000001").sort("rank")
    assert known.equals(model.rank(["P000001"], 5))


def test_the_spark_submit_example_runs(model, tmp_path):
    """The README's spark-submit line: PYSPARK_PYTHON names this interpreter."""
    import subprocess
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "examples" / "python" / "spark_rank.py"
    submit = Path(sys.executable).with_name("spark-submit")
    if not submit.exists():
        pytest.skip("spark-submit is not next to this interpreter")
    path = tmp_path / "profile.kocrank"
    model.save(path)
    promoters = tmp_path / "promoters.csv"
    promoters.write_text('promoter_id\nP000001\nP000002\n""\nsomeone-new\n')
    out = tmp_path / "top20"
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, SPARK_LOCAL_IP="127.0.0.1")
    env.pop("PYSPARK_DRIVER_PYTHON", None)
    done = subprocess.run(
        [str(submit), "--master", "local[2]", "--conf", "spark.ui.enabled=false", str(script), str(path), str(promoters), str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    # Four rows, 20 items each; the empty id gets the newcomer list, promoter_id null.
    assert "80 rows written" in done.stdout, done.stdout
    top = pl.read_parquet(out / "*.parquet")
    assert top.height == 80 and top["promoter_id"].null_count() == 20
