"""Fixtures shared by the recorder's tests."""

from __future__ import annotations

import sys
import types

import pytest

import tracer.targets  # noqa: F401  (registers every target's hop labels, as the command line does)


@pytest.fixture
def fake_module():
    """Makes modules from source, registered in ``sys.modules`` (so they are in scope) for the test only."""
    made: list[str] = []

    def make(name: str, source: str) -> types.ModuleType:
        module = types.ModuleType(name)
        exec(source, module.__dict__)
        sys.modules[name] = module
        made.append(name)
        return module

    yield make
    for name in made:
        sys.modules.pop(name, None)
