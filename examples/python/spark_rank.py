r"""Rank every promoter of a CSV file on Spark, with a model file, into Parquet.

The executors' Python workers import kocrank, so ``PYSPARK_PYTHON`` must name an
interpreter where it is installed. From the repository root, once the bindings are
built (``bash scripts/test-python.sh``)::

    .venv/bin/python -c "import kocrank; kocrank.train(kocrank.generate('tiny', seed=1), 'profile').save('profile.kocrank')"
    printf 'promoter_id\nP000001\nP000002\n""\nsomeone-new\n' > promoters.csv
    PYSPARK_PYTHON=$PWD/.venv/bin/python .venv/bin/spark-submit --master 'local[2]' \
        examples/python/spark_rank.py profile.kocrank promoters.csv top20

writes ``top20/`` (Parquet: ``promoter_id, rank, item_id, score``) and prints its row
count (80). The empty id gets the newcomer list, with ``promoter_id`` null.
"""

import sys

from pyspark.sql import SparkSession

from kocrank.spark import rank_dataframe


def main(model_path: str, promoters_csv: str, out: str, k: int = 20) -> int:
    spark = SparkSession.builder.appName("kocrank-rank").getOrCreate()
    promoters = spark.read.csv(promoters_csv, header=True, schema="promoter_id string")
    top = rank_dataframe(promoters, model_path, k=k)
    top.write.mode("overwrite").parquet(out)
    print(f"{spark.read.parquet(out).count()} rows written to {out}")
    spark.stop()
    return 0


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        print("usage: spark_rank.py MODEL PROMOTERS_CSV OUT [K]", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:4], *(int(a) for a in sys.argv[4:])))
