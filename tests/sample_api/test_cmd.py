"""sample-api serve as a real subprocess, and its argument handling."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from sample_api import cmd


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(*args):
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        [sys.executable, "-m", "sample_api", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _get_when_ready(url, proc, timeout=20):
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                return resp.status, json.loads(resp.read())
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.mark.parametrize(
    "server, stop_signal",
    [("threaded", signal.SIGTERM), ("eventlet", signal.SIGTERM), ("threaded", signal.SIGINT)],
)
def test_serve_answers_and_stops_cleanly(server, stop_signal):
    """SIGTERM (kill) and SIGINT (Ctrl-C) both stop the server with exit status 0."""
    if server == "eventlet":
        pytest.importorskip("eventlet")
    port = _free_port()
    proc = _start("--port", str(port), "--server", server)
    try:
        status, body = _get_when_ready(f"http://127.0.0.1:{port}/v2.1", proc)
        assert status == 200
        assert body["version"]["id"] == "v2.1"
    finally:
        proc.send_signal(stop_signal)
        _out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    # One request, one request-log line.
    assert len(re.findall(r'"GET /v2.1" status: 200', err)) == 1


def test_port_in_use_is_one_line_exit_1():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        proc = _start("--port", str(port))
        _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 1
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("sample-api:")]
    assert lines == [f"sample-api: cannot listen on 127.0.0.1:{port}: Address already in use"]


@pytest.mark.parametrize(
    "argv",
    [["serve", "--port", "http"], ["serve", "--port", "70000"], ["serve", "--server", "gunicorn"], ["nope"]],
)
def test_bad_options_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cmd.main(argv)
    assert exit_info.value.code == 2
    assert "error:" in capsys.readouterr().err
