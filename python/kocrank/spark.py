"""Distributed batch ranking on Spark.

:func:`rank_dataframe` ranks a Spark DataFrame of promoter ids with ``mapInArrow``:
each executor's Python worker loads the model file once and ranks whole Arrow batches
in Rust (GIL released, rayon), so the result equals :meth:`kocrank.Model.rank` on one
machine, row for row.

The model file must be readable at ``model_path`` from every executor (a shared
file system, or ship it with ``SparkContext.addFile`` and pass
``SparkFiles.get(name)``).
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


def _ranker(model_path: str, k: int, column: str):
    def rank_batches(batches: Iterator[Any]) -> Iterator[Any]:
        model = _model(model_path)
        for batch in batches:
            if batch.num_rows == 0:
                continue
            table = model.rank(batch.column(column), k, frame="pyarrow")
            yield from table.to_batches()

    return rank_batches


def rank_dataframe(
    df: "DataFrame", model_path: str, k: int = 20, *, column: str = "promoter_id"
) -> "DataFrame":
    """Ranks the top ``k`` items of every promoter in a Spark DataFrame.

    Parameters
    ----------
    df : pyspark.sql.DataFrame
        A DataFrame with a column of promoter ids (text or integers).
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
    """
    if k < 1:
        raise ValueError(f"k: {k} is not a positive number of items")
    path = os.path.abspath(os.fspath(model_path))
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: no such model file")
    ids = df.select(df[column].cast("string").alias(column))
    return ids.mapInArrow(_ranker(path, int(k), column), RANKED_SCHEMA)
