"""kocrank ranks catalogue items for each promoter of a social-commerce platform.

It blends what her circle bought, item quality (reviews) and what an order earns
(commission), under business rules. The work runs in Rust with the GIL released;
frames go in over the Arrow C stream interface (polars, pyarrow, pandas) and results
come back as polars DataFrames.

Examples
--------
>>> import kocrank
>>> world = kocrank.generate("tiny", seed=42)
>>> train, test = world.split(at="auto", window="30d")
>>> model = kocrank.train(train, {"model": "profile"})
>>> top = model.rank(["P000001", "someone-new"], k=5)
>>> top.shape
(10, 4)
>>> report = kocrank.evaluate(model, test, k=[5, 10])
>>> sorted(report.filter(dimension="overall")["k"].to_list())
[5, 10]
"""

from kocrank._kocrank import Dataset, Model, __version__, evaluate, generate, replay, train
from kocrank.exceptions import (
    ConfigError,
    CorruptModelError,
    EmptyDataError,
    IncompatibleModelError,
    InvalidDataError,
    InvalidRequestError,
    KocrankDataWarning,
    KocrankError,
    KocrankFileNotFoundError,
    KocrankIOError,
    UnknownIdError,
    UnsupportedError,
)



def category_path(*levels: str) -> str:
    r"""A category path from its level names, escaping a ``/`` inside a name.

    A path separates its (at most three) levels with ``/``; a level whose name holds
    a ``/`` writes it ``\/``, and a backslash ``\\``. For a whole column, the same
    escape in polars is ``pl.col(c).str.replace_all("\\", "\\\\", literal=True)
    .str.replace_all("/", "\\/", literal=True)``.

    Examples
    --------
    >>> category_path("FROZEN", "ICE - CRUSHED/CUBED")
    'FROZEN/ICE - CRUSHED\\/CUBED'
    """
    if not levels:
        raise ValueError("category_path: give at least one level name")
    return "/".join(str(name).replace("\\", "\\\\").replace("/", "\\/") for name in levels)


__all__ = [
    "category_path",
    "Dataset",
    "Model",
    "generate",
    "train",
    "evaluate",
    "replay",
    "KocrankError",
    "InvalidDataError",
    "ConfigError",
    "InvalidRequestError",
    "UnknownIdError",
    "EmptyDataError",
    "UnsupportedError",
    "KocrankIOError",
    "KocrankFileNotFoundError",
    "CorruptModelError",
    "IncompatibleModelError",
    "KocrankDataWarning",
    "__version__",
]
