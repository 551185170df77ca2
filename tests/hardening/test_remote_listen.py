"""Listening beyond loopback needs a flag that names the risk; without it, one line and exit 2, nothing served."""

from __future__ import annotations

import re
import signal
import subprocess
import time

import pytest

from tests.hardening.processes import COMMANDS, ROOT


@pytest.mark.parametrize("kind", ["sample-api", "tracer"])
def test_a_non_loopback_host_is_refused_without_the_flag(kind, tmp_path):
    extra = ["--store", str(tmp_path / "store")] if kind == "tracer" else []
    done = subprocess.run([*COMMANDS[kind], "--host", "0.0.0.0", "--port", "0", *extra], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "--allow-unauthenticated-remote-access" in done.stderr
    assert "serving" not in done.stderr + done.stdout


@pytest.mark.parametrize("kind", ["sample-api", "tracer"])
def test_the_flag_lets_it_listen_on_every_interface(kind, tmp_path):
    extra = ["--store", str(tmp_path / "store")] if kind == "tracer" else []
    log = tmp_path / "out.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([*COMMANDS[kind], "--host", "0.0.0.0", "--port", "0", *extra,
                                 "--allow-unauthenticated-remote-access"], cwd=ROOT, stdout=out,
                                stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while not re.search(r"serving the compute API on http://0\.0\.0\.0:\d+/v2\.1", log.read_text()):
                assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.05)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)
