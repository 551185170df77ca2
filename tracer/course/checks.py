"""``tracer lesson check``: judge a learner's workspace by the traces of its requests.

Every task is one request recorded through sample_api with the learner's code loaded (in a
child process, see :mod:`tracer.course.sandbox`), and a few expectations that are queries over
that trace (and its response), evaluated here in the grader. A failed expectation is one
friendly line saying what was expected and what happened; a learner's module that does not
import is one line naming the file and the line; a learner's exception is saved as a trace to
replay with ``tracer tui FILE`` when a folder for it is given. Nothing here prints: faces render
the :class:`CheckReport`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from tracer.course import grading
from tracer.course.model import Expectation, Lesson, LessonError, Task
from tracer.course.queries import QueryError, evaluate, hop_matches, returns_kind
from tracer.course.sandbox import MEMORY_LIMIT, TIME_LIMIT, record_in_child
from tracer.course.workspace import check_inside
from tracer.model import trace as trace_model
from tracer.model.trace import EXCEPTION, RETURN, Trace


@dataclass
class TaskResult:
    """One task's outcome; ``problems`` are the friendly lines, ``trace_file`` a replayable trace of a crash."""

    id: str
    text: str
    passed: bool
    problems: list[str] = field(default_factory=list)
    trace_file: str | None = None


@dataclass
class CheckReport:
    """What ``check`` found, for the terminal and (``--json``) for a teacher's grading script."""

    lesson: int
    slug: str
    workspace: str
    passed: bool
    tasks: list[TaskResult]
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def describe_query(q: dict) -> str:
    """A query in words, for messages: ``the next hop after Resource.dispatch in layer controller``."""
    op = q["query"]
    parts = {
        "first_call": "the first hop",
        "next_call": "the next hop",
        "last_call": "the last hop",
        "calls": "the hops",
        "count": "the number of calls",
        "reached": "whether the request reached",
        "caller": "the caller of",
        "callees": "the hops called by",
        "arg": f"argument {q.get('arg')!r} of",
        "returns": "the return value of",
        "local": f"variable {q.get('var')!r} of",
        "status": "the response status",
        "header": f"the response header {q.get('header')!r}",
        "json": f"the response body at {q.get('path', '')!r}",
        "order": "the order of " + " → ".join(q.get("hops", [])),
        "raised_in": "the hop that raised",
        "exception": "the exception raised",
        "caught_in": "the hop that caught the exception",
    }
    text = parts.get(op, op)
    if q.get("name"):
        text += f" {q['name']}"
    if q.get("after"):
        text += f" after {q['after']}"
    if q.get("within"):
        text += f" inside {q['within']}"
    if q.get("layer"):
        text += f" in layer {q['layer']}"
    if q.get("module"):
        text += f" from module {q['module']}"
    return text


def compare(exp: Expectation, actual: Any) -> bool:
    """Whether ``actual`` satisfies the expectation (hops compare by name, loosely)."""
    kind = returns_kind(exp.query)
    wanted = exp.expected
    if exp.comparator == "truthy":
        return bool(actual) == bool(wanted)
    if exp.comparator in ("equals", "not_equals"):
        same = _hops_equal(actual, wanted) if kind in ("hop", "hops") else actual == wanted
        return same if exp.comparator == "equals" else not same
    if exp.comparator == "contains":
        if isinstance(actual, list):
            return any(_hops_equal(item, wanted) if kind == "hops" else item == wanted for item in actual)
        return str(wanted) in str(actual)
    try:
        if exp.comparator == "at_least":
            return actual >= wanted
        if exp.comparator == "at_most":
            return actual <= wanted
    except TypeError:
        return False
    return False


def _hops_equal(actual: Any, wanted: Any) -> bool:
    if isinstance(actual, list) or isinstance(wanted, list):
        if not (isinstance(actual, list) and isinstance(wanted, list)) or len(actual) != len(wanted):
            return False
        return all(grading.hop_equal(str(a), str(w)) for a, w in zip(actual, wanted, strict=True))
    if not actual or not wanted:
        return actual == wanted
    return grading.hop_equal(str(wanted), str(actual))


def failure_line(task: Task, exp: Expectation, actual: Any) -> str:
    """The friendly line for a failed expectation."""
    expected_text = grading.show(exp.expected)
    actual_text = grading.show(actual) if actual not in ("", None, []) else "nothing"
    if exp.message:
        try:
            return exp.message.format(expected=expected_text, actual=actual_text)
        except (KeyError, IndexError, ValueError):  # a lesson's message with a stray brace: show it as written
            return exp.message
    relation = {
        "equals": "to be",
        "not_equals": "not to be",
        "contains": "to contain",
        "at_least": "to be at least",
        "at_most": "to be at most",
        "truthy": "to be" if exp.expected else "not to be",
    }[exp.comparator]
    wanted = expected_text if exp.comparator != "truthy" else ("yes" if exp.expected else "no")
    return f"expected {describe_query(exp.query)} {relation} {wanted}, but it was {actual_text}"


# -- crashes of the learner's code -------------------------------------------------------------------


def student_crash(trace: Trace, prefixes: tuple[str, ...]) -> str | None:
    """``KeyError in sample_api_extensions.hello:Hello.show line 12`` when the learner's code raised, else None."""
    for i in trace.exception_events():
        code = trace.code(i)
        if not any(hop_matches(code, p + "*") or code.module == p for p in prefixes):
            continue
        end = trace.end_of.get(trace.frame_of[i], -1)
        if end >= 0 and trace.kinds[end] == RETURN and trace.data[end] < 0 and _last_exception(trace, end) == i:
            value = trace.value(trace.data[i])
            kind = value.type_name if value else "an exception"
            return f"{kind} in {code.qualname} ({code.filename} line {trace.lines[i]})"
    return None


def _last_exception(trace: Trace, end: int) -> int:
    frame = trace.frame_of[end]
    for e in reversed(trace.own_events(frame)):
        if e < end and trace.kinds[e] == EXCEPTION:
            return e
    return -1


def save_trace(doc: dict, folder: Path, name: str) -> str:
    """Keep a trace (``FOLDER/NAME.json``, FOLDER being a workspace's ``.tracer``) so the learner can replay it;
    returns its path. Never through a symbolic link that leads out of the workspace."""
    workspace = folder.parent
    folder = check_inside(workspace, folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = check_inside(workspace, folder / f"{name}.json")
    trace_model.save(doc, path)
    return str(path)


# -- the check ---------------------------------------------------------------------------------------


def _student_prefixes(lesson: Lesson, workspace: Path) -> tuple[str, ...]:
    stems = tuple(p.stem for p in workspace.glob("*.py"))
    return ("sample_api_extensions",) + stems


def run_check(
    lesson: Lesson,
    workspace: Path,
    save_dir: Path | None = None,
    time_limit: float = TIME_LIMIT,
    memory_limit: int = MEMORY_LIMIT,
) -> CheckReport:
    """Run every task of ``lesson`` on ``workspace``; :class:`LessonError` when the workspace is missing.

    Traces of failed tasks are kept in ``save_dir`` when it is given (a learner's own ``.tracer/``),
    never anywhere else, so grading someone else's folder leaves no mark on it.
    """
    workspace = Path(workspace)
    if not workspace.is_dir():
        raise LessonError(f"no workspace at {workspace} (run 'tracer lesson start {lesson.number}' first)")
    report = CheckReport(lesson.number, lesson.slug, str(workspace), passed=False, tasks=[])

    def all_failed(message: str) -> CheckReport:
        report.error = message
        report.tasks = [TaskResult(t.id, t.text, False, [message]) for t in lesson.tasks]
        return report

    recorded = record_in_child(lesson, workspace, time_limit, memory_limit)
    if recorded.error:
        return all_failed(recorded.error)
    docs = recorded.docs
    prefixes = _student_prefixes(lesson, workspace)
    crashes: dict[str, tuple[str, str | None]] = {}
    try:
        traces = {name: Trace.from_dict(doc) for name, doc in docs.items()}
    except Exception as exc:  # a document the child made up or mangled is a failure, not a crash of the grader
        return all_failed(f"the check's records are damaged ({type(exc).__name__})")
    missing = [t.request for t in lesson.tasks if t.request not in traces]
    if missing:
        return all_failed(f"the check's records are incomplete (no {missing[0]!r})")
    for name, trace in traces.items():
        crash = student_crash(trace, prefixes)
        if crash and lesson.workspace.extensions:
            crash = crash.replace("sample_api_extensions/", lesson.workspace.extensions.rstrip("/") + "/")
        if crash or trace.status >= 500:
            path = save_trace(docs[name], save_dir, f"check-{name}") if save_dir else None
            crashes[name] = (crash or f"the API answered {trace.status}", path)

    for task in lesson.tasks:
        trace = traces[task.request]
        result = TaskResult(task.id, task.text, passed=True)
        for exp in task.expect:
            try:
                actual = evaluate(exp.query, trace, traces)
                if exp.comparator == "same_as":
                    other = traces[exp.expected.get("request", task.request)]
                    exp = replace(exp, comparator="equals", expected=evaluate(exp.expected, other, traces))
            except QueryError as exc:
                actual, ok = f"(query failed: {exc})", False
            else:
                ok = compare(exp, actual)
            if not ok:
                # The first failed expectation is the one to fix; the ones after it build on it and
                # would only describe the same mistake from further away.
                result.passed = False
                result.problems.append(failure_line(task, exp, actual))
                break
        if task.request in crashes and not result.passed:
            what, path = crashes[task.request]
            replay = f"; replay it with: tracer tui {path}" if path else ""
            result.problems.append(f"your code raised: {what}{replay}")
            result.trace_file = path
        elif not result.passed and save_dir:
            path = save_trace(docs[task.request], save_dir, f"check-{task.request}")
            result.problems.append(f"replay this request: tracer tui {path}")
            result.trace_file = path
        report.tasks.append(result)
    report.passed = all(t.passed for t in report.tasks)
    return report
