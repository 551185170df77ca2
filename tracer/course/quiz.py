"""Questions: record the lesson's requests, compute each answer from its trace, grade what a learner says.

The answer is never stored in the lesson: it is the question's query evaluated on a trace
recorded now, so it stays right when sample_api changes (and a lesson whose answer is no
longer among its choices fails the self-check loudly).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tracer.course import grading
from tracer.course.model import Lesson, Question
from tracer.course.queries import evaluate, first_of, returns_kind
from tracer.course.recording import record, sample_api
from tracer.model.trace import Trace


@dataclass
class Asked:
    """A question with its answer computed from the trace of its request."""

    question: Question
    trace: Trace
    expected: Any
    kind: str

    @property
    def pause_event(self) -> int:
        """Where the replay stops to ask (the first call of the ``pause`` hop; 0 for fact questions)."""
        if not self.question.pause:
            return 0
        found = first_of(self.trace, self.question.pause)
        return max(found, 0)

    @property
    def expected_text(self) -> str:
        return grading.matching_choice(self.expected, self.question.choices, self.kind) or grading.show(self.expected)

    def grade(self, given: str) -> grading.Grade:
        return grading.grade(given, self.expected, self.kind, self.question.choices)


def record_traces(lesson: Lesson) -> dict[str, Trace]:
    """One trace per request named by the lesson's questions, through an untouched sample_api."""
    docs: dict[str, dict] = {}
    names = list(dict.fromkeys(q.request for q in lesson.questions))
    if not names:
        return {}
    with sample_api(None) as api:
        for name in names:
            docs[name] = record(lesson.requests[name], api)
    return {name: Trace.from_dict(doc) for name, doc in docs.items()}


def ask_all(lesson: Lesson, traces: dict[str, Trace] | None = None) -> list[Asked]:
    """Every question of the lesson with its computed answer."""
    traces = traces if traces is not None else record_traces(lesson)
    asked = []
    for q in lesson.questions:
        trace = traces[q.request]
        asked.append(Asked(q, trace, evaluate(q.answer, trace, traces), returns_kind(q.answer)))
    return asked
