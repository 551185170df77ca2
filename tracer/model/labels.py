"""Hop labels: which layer a function belongs to, what it does, and where it lives in Nova.

The labels are data (one TOML file per recorded app, brought by its target in ``tracer.targets``), kept
apart from code so that a teacher can improve a sentence without touching the recorder. The first rule
whose pattern matches ``module:qualname`` wins, so specific rules come before broad ones. The targets
register their files here (:func:`add_label_files`) because the faces that print a trace sit above the
targets and the model below them: the model only knows that files were registered.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

#: Every layer a hop can have, outermost first (faces colour hops by layer).
LAYERS = (
    "server",
    "middleware",
    "router",
    "resource",
    "extension",
    "controller",
    "policy",
    "validation",
    "compute",
    "cells",
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
    """The ordered rules of the label files with a cache per function."""

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


#: the label files of every known target, in the order they were registered
_label_files: list[Path] = []
_loaded: dict[tuple[Path, ...], Labels] = {}


def add_label_files(*paths: Path) -> None:
    """Make ``paths`` part of the labels every face uses by default (each file once)."""
    for path in paths:
        if path not in _label_files:
            _label_files.append(path)


def load_labels(*paths: Path) -> Labels:
    """The rules of ``paths`` (by default every registered file, in order), read once per set of files."""
    key = tuple(paths) or tuple(_label_files)
    labels = _loaded.get(key)
    if labels is None:
        labels = parse_labels("\n".join(path.read_text(encoding="utf-8") for path in key))
        # a file's catch-all rule ("*") ends that file; with several files, every catch-all goes last
        labels.rules.sort(key=lambda rule: rule.pattern == "*")
        _loaded[key] = labels
    return labels
