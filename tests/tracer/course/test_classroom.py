"""``tracer classroom`` end to end: a real server process, headless Chromium driven by Playwright, keys typed
into the page, and the answer they give landing in the progress file (so the browser really drove the app).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

playwright_api = pytest.importorskip("playwright.sync_api", reason="no Playwright: pip install playwright")
pytest.importorskip("textual_serve", reason="textual-serve is not installed (pip install textual-serve)")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="no browser: apt-get install -y chromium")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def classroom(tmp_path):
    """``tracer classroom 1`` on a free port, with its own progress folder; yields (url, progress file, output)."""
    port = _free_port()
    home = tmp_path / "home"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tracer.cli.main", "classroom", "1", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path,
        env=dict(os.environ, TRACER_HOME=str(home), PYTHONUNBUFFERED="1"), start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                os.killpg(proc.pid, signal.SIGKILL)
                pytest.fail(f"tracer classroom did not start: {proc.communicate()[0][-2000:]}")
            time.sleep(0.2)
    yield url, home / "lessons-progress.json", proc
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _answers(progress: Path) -> dict:
    try:
        return json.loads(progress.read_text())["lessons"]["01-first-trace"].get("answers", {})
    except (OSError, ValueError, KeyError):
        return {}


def test_a_student_answers_a_prediction_in_the_browser(classroom):
    url, progress, proc = classroom
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(url)
            page.wait_for_selector(".xterm-helper-textarea", state="attached", timeout=30_000)
            page.click("#terminal")
            # `end` runs the replay forward; it stops at the first predict question's hop and asks it.
            # Until the app has started in its own process the keys may find nobody: try again, then answer.
            deadline = time.monotonic() + 90
            while "controller" not in _answers(progress):
                assert time.monotonic() < deadline, "the answer typed in the browser never reached the app"
                page.keyboard.press("End")
                page.wait_for_timeout(1500)
                page.keyboard.type("b")
                page.keyboard.press("Enter")
                page.wait_for_timeout(1500)
            page.screenshot(path=str(progress.parent / "classroom.png"))
        finally:
            browser.close()
    record = _answers(progress)["controller"]
    assert record["result"] == "right"
    assert record["tries"][0]["given"] == "ServersController.detail"  # "b", the second choice, typed in the page


def test_it_listens_on_this_machine_only_by_default(classroom):
    url, _progress, proc = classroom
    port = int(url.rsplit(":", 1)[1])
    try:
        address = socket.gethostbyname(socket.gethostname())
    except OSError:
        pytest.skip("this machine has no address besides loopback")
    if address.startswith("127."):
        pytest.skip("this machine has no address besides loopback")
    with socket.socket() as sock, pytest.raises(OSError):
        sock.settimeout(2)
        sock.connect((address, port))


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    for argv, message in ((["classroom", "99"], "no lesson '99'"), (["classroom", "nope.json"], "no lesson or trace")):
        result = subprocess.run([sys.executable, "-m", "tracer.cli.main", *argv], capture_output=True, text=True,
                                cwd=tmp_path, timeout=60)
        assert result.returncode == 2
        assert message in result.stderr and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
