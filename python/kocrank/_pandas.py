"""pandas frames to Arrow, column by column, keeping NaN in float columns.

pandas' own Arrow export (``__arrow_c_stream__``) turns NaN into null, which kocrank
would read as a missing value and replace by the column's default: a NaN commission
would silently become 0. Here float columns keep their NaN, so kocrank rejects it
naming the column; other columns convert as pyarrow does (``None`` and ``NaT`` are
missing values).
"""


def to_arrow(df):
    import pyarrow as pa

    arrays = []
    for name in df.columns:
        column = df[name]
        if getattr(column.dtype, "kind", None) == "f":
            arrays.append(pa.array(column.to_numpy(), from_pandas=False))
        else:
            arrays.append(pa.array(column, from_pandas=True))
    return pa.table(arrays, names=[str(n) for n in df.columns])
