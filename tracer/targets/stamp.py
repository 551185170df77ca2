"""What a trace says about the app it recorded: the target's name, its packages' versions, its walkthrough stop."""

from __future__ import annotations

from collections.abc import Iterable
from importlib import metadata


def versions(distributions: Iterable[str]) -> dict[str, str]:
    """``{distribution: version}`` of the installed ones (a missing one is left out)."""
    found = {}
    for name in distributions:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def stamp(doc: dict, name: str, distributions: Iterable[str], stop: str | None = None) -> dict:
    """Write ``meta["target"]`` into the trace ``doc`` and return it.

    ``stop`` names the function where the pdb walkthrough stops by default (when the trace has a call of it).
    """
    target: dict = {"name": name, "versions": versions(distributions)}
    if stop:
        target["stop"] = stop
    doc["meta"]["target"] = target
    return doc
