"""Exceptions raised by kocrank.

Every error of the Rust library arrives as a subclass of :class:`KocrankError` with
the Rust message unchanged. Errors about data, configuration or requests also
subclass :class:`ValueError`; errors about files subclass :class:`OSError` (a missing
file raises :class:`KocrankFileNotFoundError`, a :class:`FileNotFoundError`).

Warnings are not errors: :class:`KocrankDataWarning` (a :class:`UserWarning`) says that
a lenient load left rows out.
"""

__all__ = [
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
]


class KocrankError(Exception):
    """The root of every kocrank exception."""


class InvalidDataError(KocrankError, ValueError):
    """A frame breaks the schema: a missing column, a column of the wrong type, or a
    row breaking a rule of the data model. The message names the table and column."""


class ConfigError(KocrankError, ValueError):
    """A configuration key is unknown or a value is out of range."""


class InvalidRequestError(KocrankError, ValueError):
    """A ranking or evaluation request is malformed (``k`` out of range, an unknown
    override or candidate item)."""


class UnknownIdError(KocrankError, ValueError):
    """An item or promoter id that the model does not know."""


class EmptyDataError(KocrankError, ValueError):
    """An operation found no data to work on (no order accepted, an empty split)."""


class UnsupportedError(KocrankError, ValueError):
    """A computation that cannot be carried out as asked: a model of the wrong kind
    (similar items from a popularity model), a fit too large for memory, or one that
    broke down numerically; the message says which setting to change."""


class KocrankIOError(KocrankError, OSError):
    """A file could not be read or written; the message names it."""


class KocrankFileNotFoundError(KocrankIOError, FileNotFoundError):
    """A file that does not exist; the message names it, as does ``filename``."""


class CorruptModelError(KocrankError, OSError):
    """A model file that is truncated, damaged or not a model file."""


class IncompatibleModelError(KocrankError, OSError):
    """A model file of a format version this build does not read."""


class KocrankDataWarning(UserWarning):
    """A lenient load (``Dataset.from_frames(..., strict=False)``) left rows out or
    cleared inviters. The message gives, per frame, the rows left out of the rows read
    and how many for each reason code, and the columns that were ignored;
    :attr:`Dataset.rejects` lists every row and :attr:`Dataset.load_report` holds the
    counts. Silence it with ``warnings.simplefilter("ignore", KocrankDataWarning)``, or
    make it an error with ``"error"``."""
