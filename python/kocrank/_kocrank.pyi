"""Type stubs of the Rust extension module (``kocrank._kocrank``)."""

from datetime import date, datetime, timedelta
from os import PathLike
from typing import Any, Dict, List, Literal, Optional, Sequence, Tuple, Union, overload

import polars

__version__: str

_Frame = Any  # any object with __arrow_c_stream__: polars / pyarrow / pandas frames
# frame="pyarrow" gives a pyarrow.Table, frame="pandas" a pandas.DataFrame (typed Any:
# neither is a required dependency).
_Time = Union[int, str, date, datetime]
_Duration = Union[int, str, timedelta]
# An id, or a sequence of them: text or integers (ints become their decimal text); or a
# polars Series / pyarrow Array / pandas Series of ids.
_Ids = Union[str, int, Sequence[Union[str, int]], Any]

class Dataset:
    """A validated dataset: catalogue, promoters, orders and shares."""

    @staticmethod
    def from_frames(
        orders: _Frame,
        items: Optional[_Frame] = None,
        promoters: Optional[_Frame] = None,
        shares: Optional[_Frame] = None,
        *,
        strict: bool = True,
    ) -> Dataset: ...
    def split(
        self, at: Optional[_Time] = None, window: Optional[_Duration] = None
    ) -> Tuple[Dataset, Dataset]: ...
    @property
    def n_items(self) -> int: ...
    @property
    def n_promoters(self) -> int: ...
    @property
    def n_orders(self) -> int: ...
    @property
    def n_shares(self) -> int: ...
    @property
    def time_range(self) -> Optional[Tuple[int, int]]: ...
    @property
    def rejects(self) -> polars.DataFrame: ...
    @property
    def load_report(self) -> Dict[str, Any]: ...
    def promoter_ids(self) -> List[str]: ...
    def item_ids(self) -> List[str]: ...
    def summary(self) -> str: ...
    def to_bytes(self) -> bytes: ...
    @staticmethod
    def from_bytes(data: bytes) -> Dataset: ...
    def __reduce__(self) -> Tuple[Any, Tuple[bytes]]: ...
    def __len__(self) -> int: ...

class Model:
    """A trained model, ready to rank."""

    @overload
    def rank(
        self,
        promoter_ids: _Ids,
        k: int = 20,
        *,
        frame: Literal["polars"] = "polars",
        **overrides: Any,
    ) -> polars.DataFrame: ...
    @overload
    def rank(
        self,
        promoter_ids: _Ids,
        k: int = 20,
        *,
        frame: Literal["pyarrow", "pandas"],
        **overrides: Any,
    ) -> Any: ...
    def explain(self, promoter: str, item: str) -> Dict[str, Any]: ...
    def with_gamma(self, gamma: float) -> Model: ...
    def with_newcomer_half_life(self, half_life_days: float | None) -> Model: ...
    def save(self, path: Union[str, PathLike[str]]) -> None: ...
    @staticmethod
    def load(path: Union[str, PathLike[str]]) -> Model: ...
    @property
    def kind(self) -> str: ...
    @property
    def config(self) -> Dict[str, Any]: ...
    @property
    def selection(self) -> Optional[Dict[str, Any]]: ...
    @property
    def trained_until(self) -> int: ...
    @property
    def n_items(self) -> int: ...
    @property
    def n_promoters(self) -> int: ...
    @property
    def item_factors(self) -> Optional[Any]: ...
    @property
    def promoter_factors(self) -> Optional[Any]: ...
    @overload
    def similar_items(
        self, item_id: str, k: int = 10, *, frame: Literal["polars"] = "polars"
    ) -> polars.DataFrame: ...
    @overload
    def similar_items(
        self, item_id: str, k: int = 10, *, frame: Literal["pyarrow", "pandas"]
    ) -> Any: ...
    @overload
    def score(
        self, pairs: Any, item_ids: Optional[_Ids] = None, *, frame: Literal["polars"] = "polars"
    ) -> polars.DataFrame: ...
    @overload
    def score(
        self, pairs: Any, item_ids: Optional[_Ids] = None, *, frame: Literal["pyarrow", "pandas"]
    ) -> Any: ...
    def to_bytes(self) -> bytes: ...
    @staticmethod
    def from_bytes(data: bytes) -> Model: ...
    def __reduce__(self) -> Tuple[Any, Tuple[bytes]]: ...

def _model_from_bytes(data: bytes) -> Model: ...
def _dataset_from_bytes(data: bytes) -> Dataset: ...
def generate(scale: Literal["tiny", "small", "large"] = "tiny", seed: int = 0) -> Dataset: ...
def train(
    dataset: Dataset, config: Union[None, str, Dict[str, Any]] = None, *, quiet: bool = False
) -> Model: ...
@overload
def evaluate(
    model: Model,
    test: Dataset,
    k: Sequence[int] = [5, 10, 20],
    *,
    count_repeats: bool = True,
    bootstrap: int = 1000,
    per_promoter: bool = False,
    name: Optional[str] = None,
    frame: Literal["polars"] = "polars",
) -> polars.DataFrame: ...
@overload
def evaluate(
    model: Model,
    test: Dataset,
    k: Sequence[int] = [5, 10, 20],
    *,
    count_repeats: bool = True,
    bootstrap: int = 1000,
    per_promoter: bool = False,
    name: Optional[str] = None,
    frame: Literal["pyarrow", "pandas"],
) -> Any: ...
def replay(
    model: Optional[Model],
    scale: Literal["tiny", "small"] = "tiny",
    seed: int = 0,
    *,
    at: Optional[_Time] = None,
    window: Optional[_Duration] = None,
    k: int = 20,
    replay_seed: int = 0,
    position: Literal["log2", "reciprocal", "uniform"] = "log2",
) -> Dict[str, float]: ...
