"""Real OpenStack Nova 34's GET /servers/detail, recorded once per test process, for the tests that need Nova itself.

Call :func:`skip_without_nova` first: where Nova is not installed the test is skipped with the reason and how to
install it. Nova keeps its state in module globals, so every test of the process shares the one Nova.
"""

from __future__ import annotations

import functools
import importlib.util

import pytest

from tracer.model.trace import Trace

WHY = "OpenStack Nova is not installed (pip install -e '.[test,nova]')"


def skip_without_nova() -> None:
    if importlib.util.find_spec("nova") is None:
        pytest.skip(WHY)


@functools.cache
def servers_detail(path: str = "/servers/detail") -> Trace:
    """``GET path`` through Nova as ``tracer run --target nova`` records it (line detail, from a re-run)."""
    skip_without_nova()
    from tracer.targets import nova
    from tracer.targets.sample_api import RequestSpec

    app, twin = nova.load_twins()
    return Trace.from_dict(nova.record_request(RequestSpec("GET", path), app=app, twin=twin))
