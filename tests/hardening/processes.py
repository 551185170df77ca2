"""Both servers as real processes on free 127.0.0.1 ports: ``sample-api serve`` and ``tracer serve``."""

from __future__ import annotations

import http.client
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVING = re.compile(r"serving the compute API on http://127\.0\.0\.1:(\d+)/v2\.1")
COMMANDS = {
    "sample-api": [sys.executable, "-m", "sample_api", "serve"],
    "tracer": [sys.executable, "-c", "import sys; from tracer.cli.main import main; sys.exit(main())", "serve"],
}


class ServerProcess:
    """One server in a subprocess, its output (every log line, at the level asked) kept in a file."""

    def __init__(self, kind: str, folder: Path, *args: str) -> None:
        self.kind = kind
        self.store_dir = folder / "store"
        self.log_path = folder / f"{kind}.log"
        extra = ["--store", str(self.store_dir)] if kind == "tracer" else []
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([*COMMANDS[kind], "--port", "0", *extra, *args], cwd=ROOT,
                                     stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while not (found := SERVING.search(self.log)):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{kind} did not start:\n{self.log}")
            time.sleep(0.05)
        self.port = int(found.group(1))

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def rss_kb(self) -> int:
        """The server's resident memory now (Linux /proc)."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=120)
        finally:
            self._log.close()


def request(port: int, method: str, path: str, body: bytes | str | None = None, headers: dict | None = None,
            token: str | None = "demo:demo", timeout: float = 15) -> tuple[int, dict, bytes]:
    """One request over a fresh connection: (status, headers, body). A hang fails as a socket timeout."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        sent = {"Accept": "application/json"}
        if token is not None:
            sent["X-Auth-Token"] = token
        if body is not None:
            sent["Content-Type"] = "application/json"
        sent.update(headers or {})
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()
