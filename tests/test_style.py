"""The codebase stays lint-clean: ruff runs as part of the test suite."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: What the project owns: a virtual environment made in the clone, whatever its name, is not linted.
SOURCES = ["tracer", "sample_api", "tests", "benchmarks"]


def test_ruff_check_is_clean():
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(ruff).exists():
        pytest.fail("ruff is not installed: pip install -e '.[test]'")
    paths = [str(ROOT / name) for name in SOURCES if (ROOT / name).exists()]
    assert len(paths) == len(SOURCES), "a source directory is missing"
    result = subprocess.run([ruff, "check", "--no-cache", *paths], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
