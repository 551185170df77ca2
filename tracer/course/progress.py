"""Progress per user: a small JSON state file, like rustlings' ``.rustlings-state.txt``.

It lives in ``platformdirs.user_data_dir("tracer")`` (``$TRACER_HOME`` when set, which tests
use). It records, per lesson slug, where the workspace is, how many hints were shown, each
question's tries and its result, and the last check; nothing in it is needed to move on, it
only lets ``tracer lesson list`` show where a learner stands.

A question's result is settled once: ``right`` when answered right before its answer was shown,
``wrong`` after a second wrong try or when the learner asked to see the answer. Later tries are
kept as tries but never change it, so copying the shown answer does not turn a wrong into a right.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

STATE_VERSION = 1
STATE_FILE = "lessons-progress.json"
WRONG_TRIES = 2  # the answer is shown after this many wrong tries
KEPT_TRIES = 20  # tries kept per question, the latest ones


def state_dir() -> Path:
    """``$TRACER_HOME``, else the platform's per-user data folder for tracer."""
    env = os.environ.get("TRACER_HOME")
    if env:
        return Path(env)
    try:
        import platformdirs
    except ImportError:  # platformdirs arrives with Textual; keep a sane fallback anyway
        return Path.home() / ".local" / "share" / "tracer"
    return Path(platformdirs.user_data_dir("tracer"))


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime())


class Progress:
    """The state file, read once and written after every change (atomically)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or state_dir() / STATE_FILE
        self.data: dict[str, Any] = {"version": STATE_VERSION, "lessons": {}}
        try:
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            loaded = None  # no state yet, or a damaged file: start afresh rather than fail
        if isinstance(loaded, dict) and loaded.get("version") == STATE_VERSION:
            self.data = loaded
            self.data.setdefault("lessons", {})

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(self.data, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.path)

    def lesson(self, slug: str) -> dict[str, Any]:
        return self.data["lessons"].setdefault(slug, {})

    # -- changes ---------------------------------------------------------------------------------

    def started(self, slug: str, workspace: Path) -> None:
        entry = self.lesson(slug)
        entry["workspace"] = str(Path(workspace).resolve())
        entry.setdefault("started_at", _now())
        self.data["current"] = slug
        self.save()

    def question(self, slug: str, qid: str) -> dict[str, Any]:
        """A question's record: ``tries`` (given, correct, at) and ``result`` (open, right or wrong)."""
        answers = self.lesson(slug).setdefault("answers", {})
        entry = answers.get(qid)
        if not isinstance(entry, dict) or "tries" not in entry:  # an older file kept one answer only
            entry = {"tries": [], "result": "open"}
            answers[qid] = entry
        return entry

    def answered(self, slug: str, qid: str, given: str, correct: bool) -> dict[str, Any]:
        """Record one try; returns the question's record (its ``result`` says whether to show the answer)."""
        entry = self.question(slug, qid)
        entry["tries"] = (entry["tries"] + [{"given": given, "correct": correct, "at": _now()}])[-KEPT_TRIES:]
        if entry["result"] == "open":
            if correct:
                entry["result"] = "right"
            elif sum(not t["correct"] for t in entry["tries"]) >= WRONG_TRIES:
                entry["result"] = "wrong"
        self.save()
        return entry

    def revealed(self, slug: str, qid: str) -> dict[str, Any]:
        """The learner asked for the answer: an open question is settled as wrong."""
        entry = self.question(slug, qid)
        if entry["result"] == "open":
            entry["result"] = "wrong"
            entry["revealed"] = True
        self.save()
        return entry

    def hint_shown(self, slug: str) -> int:
        """Count one more hint as shown; returns how many are now shown."""
        entry = self.lesson(slug)
        entry["hints"] = entry.get("hints", 0) + 1
        self.save()
        return entry["hints"]

    def checked(self, slug: str, passed: bool, failed_tasks: list[str]) -> None:
        entry = self.lesson(slug)
        entry["last_check"] = {"passed": passed, "failed": failed_tasks, "at": _now()}
        if passed:
            entry.setdefault("passed_at", _now())
        self.save()

    def reset(self, slug: str) -> None:
        """Forget answers, hints and checks of a lesson (its workspace path is kept)."""
        entry = self.lesson(slug)
        workspace = entry.get("workspace")
        self.data["lessons"][slug] = {"workspace": workspace} if workspace else {}
        self.save()

    # -- reading ---------------------------------------------------------------------------------

    def workspace(self, slug: str) -> Path | None:
        ws = self.data["lessons"].get(slug, {}).get("workspace")
        return Path(ws) if ws else None

    def status(self, slug: str, n_questions: int) -> str:
        """One word or two for ``tracer lesson list``."""
        entry = self.data["lessons"].get(slug)
        if not entry or (set(entry) <= {"workspace"} and not entry.get("workspace")):
            return "not started"
        results = [a.get("result") for a in entry.get("answers", {}).values() if isinstance(a, dict)]
        quiz = ""
        if n_questions:
            quiz = f", quiz {results.count('right')} right, {results.count('wrong')} wrong of {n_questions}"
        if entry.get("passed_at"):
            return "done" + quiz
        if entry.get("last_check"):
            return "checked, not passing yet" + quiz
        return "started" + quiz

    def done(self, slugs: list[str]) -> list[str]:
        """The lessons among ``slugs`` whose check has passed."""
        return [slug for slug in slugs if self.data["lessons"].get(slug, {}).get("passed_at")]
