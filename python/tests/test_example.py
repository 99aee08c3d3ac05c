"""The experiment script of the README runs and writes its plots (on the tiny world)."""

import runpy
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "python" / "experiment.py"


def test_experiment_writes_its_plots(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    out = tmp_path / "out"
    argv = [str(SCRIPT), "--scale", "tiny", "--models", "popularity,profile", "--gammas", "0,0.5", "--out", str(out)]
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises(SystemExit) as done:
        runpy.run_path(str(SCRIPT), run_name="__main__")
    assert done.value.code == 0
    for name in ("experiment.csv", "ndcg_at_k.png", "commission_vs_ndcg.png", "replay.png"):
        assert (out / name).stat().st_size > 0, name
    assert (out / "ndcg_at_k.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
