"""Long calls: the progress line on stderr, ``quiet=True``, and Ctrl-C (SIGINT)."""

import io
import os
import signal
import sys
import threading
import time

import pytest

import kocrank


@pytest.fixture(scope="module")
def small_train():
    train, _ = kocrank.generate("small", seed=1).split(at="auto", window="30d")
    return train


def _sigint_after(seconds):
    """Sends SIGINT to this process from another thread, as Ctrl-C does, after `seconds`."""
    timer = threading.Timer(seconds, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.daemon = True
    timer.start()
    return timer


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT by os.kill is POSIX")
@pytest.mark.parametrize(
    "config",
    [
        # auto with a budget far beyond the test: only the interrupt can end it early.
        {"model": "auto", "auto": {"budget_seconds": 3600, "max_trials": 0}},
        # A named iALS fit: stopped between sweeps.
        {"model": "ials", "ials": {"iterations": 1000, "factors": 32}},
    ],
    ids=["auto", "ials"],
)
def test_ctrl_c_stops_train_within_seconds(small_train, config):
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    delay = 1.0
    t0 = time.monotonic()
    _sigint_after(delay)
    with pytest.raises(KeyboardInterrupt):
        kocrank.train(small_train, config, quiet=True)
    took = time.monotonic() - t0
    # Not before the signal (the call was still running), and within a few seconds of it.
    assert delay <= took < delay + 3.0, took
    # The extension is usable afterwards.
    assert kocrank.train(small_train, "popularity", quiet=True).kind == "popularity"


def test_progress_goes_to_stderr_unless_quiet(split, capfd):
    train, _ = split
    kocrank.train(train, {"model": "auto", "auto": {"max_trials": 3}})
    err = capfd.readouterr().err
    # Captured stderr is a file, not a terminal: whole lines, no carriage returns.
    assert "\r" not in err and err.endswith("\n"), repr(err)
    last = err.splitlines()[-1]
    assert last.startswith("kocrank.train auto: 100%|██████████|"), err
    assert "trials, best NDCG@20 0." in last and last.endswith("[done]"), last

    kocrank.train(train, {"model": "ials", "ials": {"iterations": 3, "factors": 8}})
    last = capfd.readouterr().err.splitlines()[-1]
    assert last.startswith("kocrank.train ials: 100%|"), last
    assert "iALS sweep 3/3 [done]" in last, last

    kocrank.train(train, {"model": "auto", "auto": {"max_trials": 3}}, quiet=True)
    kocrank.train(train, "ials", quiet=True)
    assert capfd.readouterr().err == ""


def test_a_terminal_gets_one_line_redrawn_in_place(split, monkeypatch):
    train, _ = split

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    fake = Terminal()
    monkeypatch.setattr(sys, "stderr", fake)
    kocrank.train(train, {"model": "ials", "ials": {"iterations": 3, "factors": 8}})
    text = fake.getvalue()
    assert text.startswith("\r") and text.count("\n") == 1, repr(text)
    assert text.split("\r")[-1].rstrip().endswith("iALS sweep 3/3 [done]"), repr(text)
