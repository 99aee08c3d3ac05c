"""The UCI notebook example runs end to end on a slice, or says SKIPPED without the data."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "examples" / "python" / "uci_notebook.py"
DATA = ROOT.parent / "shared" / "datasets" / "uci-online-retail"


def _run(*args, timeout=900):
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=timeout
    )


def test_uci_notebook_skips_cleanly_without_the_data(tmp_path):
    done = _run("--data", str(tmp_path / "absent"), "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("SKIPPED: UCI Online Retail not found at"), done.stdout


def test_uci_notebook_on_300_promoters(tmp_path):
    pytest.importorskip("matplotlib")
    pytest.importorskip("numpy")
    out = tmp_path / "out"
    done = _run("--max-promoters", "300", "--budget", "8", "--out", str(out), "--quiet")
    assert done.returncode == 0, done.stdout + done.stderr
    if not (DATA / "orders.csv.gz").is_file():
        assert "SKIPPED" in done.stdout
        pytest.skip(f"SKIPPED: UCI Online Retail is not at {DATA}")
    print(done.stdout)
    assert "customers on" in done.stdout
    # Three models, three pairs, each with its paired test.
    assert done.stdout.count("paired t = ") == 3, done.stdout
    assert (out / "uci_ndcg_at_k.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "pooled lists equal the in-process ones" in done.stdout, done.stdout
