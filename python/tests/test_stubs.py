"""The type stubs and the module agree, both ways."""

import ast
from pathlib import Path

import kocrank
import kocrank._kocrank as ext

STUB = Path(kocrank.__file__).with_name("_kocrank.pyi")


def _stub_names():
    tree = ast.parse(STUB.read_text())
    top, members = set(), {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            top.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            top.add(node.target.id)
        if isinstance(node, ast.ClassDef):
            members[node.name] = {
                n.name for n in node.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")
            }
    return {n for n in top if not n.startswith("_") or n == "__version__"}, members


def test_stub_and_module_agree():
    top, members = _stub_names()
    public = {n for n in dir(ext) if not n.startswith("_") or n == "__version__"}
    assert top == public
    for cls, names in members.items():
        actual = {n for n in dir(getattr(ext, cls)) if not n.startswith("_")}
        assert names == actual, cls


def test_all_is_complete():
    for name in kocrank.__all__:
        assert hasattr(kocrank, name), name
    assert set(n for n in dir(ext) if not n.startswith("_")) <= set(kocrank.__all__)


def test_exceptions_subclass_builtins():
    assert issubclass(kocrank.InvalidDataError, ValueError)
    assert issubclass(kocrank.ConfigError, ValueError)
    assert issubclass(kocrank.KocrankIOError, OSError)
    assert issubclass(kocrank.CorruptModelError, OSError)
    assert issubclass(kocrank.KocrankFileNotFoundError, FileNotFoundError)
    assert issubclass(kocrank.KocrankFileNotFoundError, kocrank.KocrankIOError)
    assert issubclass(kocrank.KocrankDataWarning, UserWarning)
    for name in kocrank.exceptions.__all__:
        cls = getattr(kocrank, name)
        if issubclass(cls, Warning):
            assert not issubclass(cls, kocrank.KocrankError), name
        else:
            assert issubclass(cls, kocrank.KocrankError), name


def test_help_shows_every_default():
    """pydoc shows real defaults: no `k=Ellipsis` (a default pyo3 cannot render)."""
    import inspect
    import pydoc

    import kocrank.spark

    for obj in (ext, ext.Dataset, ext.Model, kocrank.spark):
        text = pydoc.render_doc(obj, renderer=pydoc.plaintext)
        assert "Ellipsis" not in text and "=..." not in text, obj
    assert inspect.signature(ext.evaluate).parameters["k"].default == [5, 10, 20]


def test_docstrings():
    for obj in (ext.Dataset.from_frames, ext.Dataset.split, ext.Model.rank, ext.Model.with_gamma, ext.train, ext.evaluate, ext.generate, ext.replay):
        assert obj.__doc__ and "Parameters" in obj.__doc__, obj


def test_extension_docstring_examples_run():
    import doctest

    finder = doctest.DocTestFinder(recurse=False)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for obj in (ext.generate, ext.train, ext.replay, ext.Model.with_gamma):
        for test in finder.find(obj, obj.__name__, module=False, globs={}):
            runner.run(test)
    assert runner.tries >= 13
    assert runner.failures == 0
