"""Grading a learner's answer against the answer computed from a trace.

Grading is loose about spelling, strict about meaning: a hop may be typed as ``detail``,
``detail()``, ``ServersController.detail`` or ``module:ServersController.detail``; a choice may
be picked by its letter (``b``), never by its position as a number, so that ``3`` always means
the value 3 and a learner who believes "3" is never told "right: 5".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

TRUE_WORDS = {"yes", "y", "true", "t", "1", "oui", "ja"}
FALSE_WORDS = {"no", "n", "false", "f", "0", "non", "nein"}


@dataclass(frozen=True)
class Grade:
    """The outcome of one answer: right or not, and the right answer as text."""

    correct: bool
    given: str
    expected: str


def show(expected: Any) -> str:
    """An answer as text for a learner."""
    if isinstance(expected, bool):
        return "yes" if expected else "no"
    if isinstance(expected, (list, tuple)):
        return ", ".join(show(item) for item in expected)
    if expected is None:
        return "(nothing)"
    return str(expected)


def _hop_text(text: str) -> str:
    text = text.strip().strip("`").strip()
    if text.endswith("()"):
        text = text[:-2]
    return text.replace(":", ".").casefold()


def hop_equal(given: str, expected: str) -> bool:
    """``detail`` or ``ServersController.detail`` or ``module:ServersController.detail`` all name the same hop.

    A callable object may be named by its class: ``FaultWrapper`` for ``FaultWrapper.__call__``.
    """
    g, e = _hop_text(given), _hop_text(expected)
    if not g or not e:
        return g == e
    if e.endswith(".__call__") and hop_equal(given, expected[: -len(".__call__")]):
        return True
    return g == e or e.endswith("." + g) or g.endswith("." + e)


def _split(text: str) -> list[str]:
    return [part for part in re.split(r"\s*(?:,|->|→|\s)\s*", text.strip()) if part]


def _text_equal(given: str, expected: Any) -> bool:
    g = given.strip().strip("`'\"").strip().casefold()
    return g == show(expected).strip().casefold()


def matches(given: str, expected: Any, kind: str) -> bool:
    """Whether ``given`` (what the learner typed) is the ``expected`` answer of a query of ``kind``."""
    if kind == "hop":
        return hop_equal(given, str(expected))
    if kind == "hops":
        parts = _split(given)
        return len(parts) == len(expected) and all(hop_equal(p, str(e)) for p, e in zip(parts, expected, strict=True))
    if kind == "int" or isinstance(expected, int) and not isinstance(expected, bool):
        try:
            return int(given.strip()) == int(expected)
        except ValueError:
            return False
    if kind == "bool" or isinstance(expected, bool):
        word = given.strip().casefold()
        return (word in TRUE_WORDS and expected is True) or (word in FALSE_WORDS and expected is False)
    if isinstance(expected, (list, tuple)):  # e.g. the keys of a dict: any order will do
        wanted = {show(item).casefold() for item in expected}
        return {part.strip("`'\"").casefold() for part in _split(given)} == wanted
    return _text_equal(given, expected)


def letter(index: int) -> str:
    """The letter a choice is shown with: ``a`` for the first."""
    return "abcdefghijklmnopqrstuvwxyz"[index]


def resolve_choice(given: str, choices: list[str]) -> str:
    """A choice picked by its letter (``b`` or ``b)``) becomes its text; anything else stays as typed.

    A letter is only a pick when no choice is itself that letter, so a value is never mistaken for one.
    """
    text = given.strip()
    key = text.rstrip(")").strip().casefold()
    if len(key) == 1 and key.isalpha() and not any(c.strip().casefold() == key for c in choices):
        index = ord(key) - ord("a")
        if 0 <= index < len(choices):
            return choices[index]
    return text


def matching_choice(expected: Any, choices: list[str], kind: str) -> str | None:
    """The choice that is the expected answer (None: the computed answer is not among the choices)."""
    for choice in choices:
        if matches(choice, expected, kind):
            return choice
    return None


def grade(given: str, expected: Any, kind: str, choices: list[str] | None = None) -> Grade:
    """Grade one answer; the expected text is the matching choice when there are choices."""
    choices = choices or []
    text = resolve_choice(given, choices)
    correct = matches(text, expected, kind)
    expected_text = matching_choice(expected, choices, kind) or show(expected)
    return Grade(correct=correct, given=text, expected=expected_text)
