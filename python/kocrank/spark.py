"""Distributed batch ranking on Spark.

:func:`rank_dataframe` ranks a Spark DataFrame of promoter ids with ``mapInArrow``:
each executor's Python worker loads the model file once and ranks whole Arrow batches
in Rust (GIL released, rayon), so the result equals :meth:`kocrank.Model.rank` on one
machine, row for row.

The model file must be readable at ``model_path`` from every executor (a shared
file system, or ship it with ``SparkContext.addFile`` and pass
``SparkFiles.get(name)``). The executors' Python workers import kocrank, so
``PYSPARK_PYTHON`` must name an interpreter that has it installed (the driver's
``sys.executable`` in local mode)::

    PYSPARK_PYTHON=$PWD/.venv/bin/python spark-submit --master 'local[2]' \
        examples/python/spark_rank.py model.kocrank promoters.csv top20

A null or empty promoter id does not fail the job: that row gets the newcomer list
(the cold-start list of the unknown segment, as for a promoter the model does not
know), with ``promoter_id`` null in the result.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Dict, Iterator, Tuple

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame

__all__ = ["rank_dataframe", "RANKED_SCHEMA"]

#: The schema of the ranked DataFrame.
RANKED_SCHEMA = "promoter_id string, rank int, item_id string, score float"

# One loaded model per (path, size, mtime) in each Python worker: workers are reused
# across tasks, so an executor loads a model file once.
_MODELS: Dict[Tuple[str, int, int], Any] = {}
# Model files this worker has loaded (for tests and logs).
_LOADS = 0


def _model(path: str) -> Any:
    global _LOADS
    import kocrank

    st = os.stat(path)
    key = (path, st.st_size, st.st_mtime_ns)
    model = _MODELS.get(key)
    if model is None:
        _MODELS.clear()
        model = kocrank.Model.load(path)
        _MODELS[key] = model
        _LOADS += 1
    return model


# Stands for a null or empty id while ranking: no model knows it, so the row gets the
# newcomer list; the result shows a null promoter_id there.
_NO_ID = "\x00kocrank:no-promoter-id"


def _rank_batch(model: Any, ids: Any, k: int) -> Any:
    """Ranks one Arrow array of promoter ids (strings) into a pyarrow Table; null and
    empty ids get the newcomer list, with a null ``promoter_id``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    missing = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(ids), ""), True)
    if not pc.any(missing).as_py():
        return model.rank(ids, k, frame="pyarrow")
    filled = pc.if_else(missing, pa.scalar(_NO_ID, pa.string()), ids)
    table = model.rank(filled, k, frame="pyarrow")
    pid = table.column("promoter_id")
    nulled = pc.if_else(pc.equal(pid, _NO_ID), pa.scalar(None, pa.string()), pid)
    return table.set_column(0, "promoter_id", nulled)


def _ranker(model_path: str, k: int, column: str):
    def rank_batches(batches: Iterator[Any]) -> Iterator[Any]:
        model = _model(model_path)
        for batch in batches:
            if batch.num_rows == 0:
                continue
            yield from _rank_batch(model, batch.column(column), k).to_batches()

    return rank_batches


def rank_dataframe(
    df: "DataFrame", model_path: str, k: int = 20, *, column: str = "promoter_id"
) -> "DataFrame":
    """Ranks the top ``k`` items of every promoter in a Spark DataFrame.

    Parameters
    ----------
    df : pyspark.sql.DataFrame
        A DataFrame with a column of promoter ids (text or integers). A null or
        empty id gets the newcomer list, with ``promoter_id`` null in the result;
        the job does not fail.
    model_path : str
        A model file written by :meth:`kocrank.Model.save` or ``kocrank train``,
        readable from every executor.
    k : int, default 20
        Items per promoter.
    column : str, default "promoter_id"
        The column holding the ids.

    Returns
    -------
    pyspark.sql.DataFrame
        ``promoter_id, rank, item_id, score`` (:data:`RANKED_SCHEMA`), rank 1 best;
        promoters the model does not know get the cold-start list.

    Raises
    ------
    FileNotFoundError
        when there is no file at ``model_path`` (checked on the driver).
    """
    if k < 1:
        raise ValueError(f"k: {k} is not a positive number of items")
    path = os.path.abspath(os.fspath(model_path))
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: no such model file")
    ids = df.select(df[column].cast("string").alias(column))
    return ids.mapInArrow(_ranker(path, int(k), column), RANKED_SCHEMA)
