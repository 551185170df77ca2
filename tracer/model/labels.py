"""Hop labels: which layer a function belongs to, what it does, and where it lives in Nova.

The labels are data (``labels.toml``), kept apart from code so that a teacher can improve
a sentence without touching the recorder. The first rule whose pattern matches
``module:qualname`` wins, so specific rules come before broad ones.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import lru_cache
from pathlib import Path

LABELS_FILE = Path(__file__).with_name("labels.toml")

#: Every layer a hop can have, outermost first (faces colour hops by layer).
LAYERS = (
    "server",
    "middleware",
    "router",
    "resource",
    "extension",
    "controller",
    "policy",
    "compute",
    "db",
    "view",
    "serializer",
    "other",
)


@dataclass(frozen=True)
class Label:
    """What a learner is told about one hop."""

    pattern: str
    layer: str
    does: str = ""
    nova: str = ""
    today: str = ""


class Labels:
    """The ordered rules of ``labels.toml`` with a cache per function."""

    def __init__(self, rules: list[Label]) -> None:
        self.rules = rules
        self._cache: dict[str, Label | None] = {}

    def lookup(self, module: str, qualname: str) -> Label | None:
        key = f"{module}:{qualname}"
        if key in self._cache:
            return self._cache[key]
        found = next((rule for rule in self.rules if fnmatchcase(key, rule.pattern)), None)
        self._cache[key] = found
        return found

    def layer_for(self, module: str, qualname: str) -> str:
        label = self.lookup(module, qualname)
        return label.layer if label else "other"


def parse_labels(text: str) -> Labels:
    data = tomllib.loads(text)
    rules = []
    for entry in data.get("hop", []):
        layer = entry.get("layer", "other")
        if layer not in LAYERS:
            raise ValueError(f"label {entry.get('match')!r}: unknown layer {layer!r}")
        rules.append(
            Label(
                pattern=entry["match"],
                layer=layer,
                does=entry.get("does", ""),
                nova=entry.get("nova", ""),
                today=entry.get("today", ""),
            )
        )
    return Labels(rules)


@lru_cache(maxsize=1)
def load_labels() -> Labels:
    """The labels shipped with tracer."""
    return parse_labels(LABELS_FILE.read_text(encoding="utf-8"))
