"""The course on disk: ``lessons/index.toml`` and one folder per lesson, loaded and validated.

A lesson folder holds ``lesson.md`` (the text), ``questions.toml`` (requests to trace and
questions whose answers are queries), ``hints.toml``, ``check.toml`` (the build tasks, each a
request plus expectations that are queries too), ``starter/`` and, in the repository only,
``solution/`` (reference solutions are not installed with the package). Every file is
plain data, so a teacher can edit a lesson without touching Python; this module refuses a
broken lesson with one line that names the file and the problem.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from tracer.course.queries import QueryError, validate_query

FORMAT_VERSION = 1
QUESTION_KINDS = ("predict", "fact")
COMPARATORS = ("equals", "not_equals", "contains", "at_least", "at_most", "truthy", "same_as")
# ``{created.server.id}`` in a check request's path or body: a value from the answer to the request
# "created", recorded earlier in the same check (so a check can use ids nobody knows in advance).
PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_-]+)((?:\.[A-Za-z0-9_:-]+)+)\}")
REQUEST_KEYS = {"method", "path", "body", "body_size", "headers", "as", "startup", "workspace", "file", "describe",
                "target", "detail", "served", "as_written", "server"}
#: The apps a lesson's request may go to (``target``): the miniature, or real OpenStack Nova (an extra to install).
TARGETS = ("sample_api", "nova")
#: The servers a served request may go through (``server``): a pool of threads, or eventlet's green threads.
SERVERS = ("threaded", "eventlet")


class LessonError(Exception):
    """Bad input (no such lesson, missing workspace) or a broken lesson file; the message is one line."""


def lessons_root() -> Path:
    """Where the course lives: ``$TRACER_LESSONS_DIR`` (tests, teachers' own courses) or the shipped ``lessons/``."""
    env = os.environ.get("TRACER_LESSONS_DIR")
    if env:
        return Path(env)
    return Path(str(resources.files("tracer.course") / "lessons"))


# -- the parts of a lesson -------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestDef:
    """A request a lesson records: from ``[requests.NAME]`` or from a file in the learner's workspace."""

    name: str
    method: str = "GET"
    path: str = "/servers/detail"
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    user: str = "admin"
    project: str | None = None
    startup: bool = False
    workspace: bool = True
    file: str | None = None
    describe: str = ""
    target: str = "sample_api"
    detail: str = "line"  # "call": calls only (enough for the response and the hops that ran, and faster)
    #: sent over HTTP to sample_api's own server on 127.0.0.1, recorded from the server's first frame
    served: bool = False
    #: the path is sent as written, with no /v2.1 put in front (served requests only): another mount of URLMap
    as_written: bool = False
    #: which of sample_api's servers answers a served request: ``threaded`` or ``eventlet`` (green threads)
    server: str = "threaded"

    @property
    def label(self) -> str:
        """How the request is shown: ``GET /servers/detail (as demo)``."""
        if self.startup:
            return "loading the app (service.load_app)"
        if self.file:
            return f"the request in your {self.file}"
        who = self.user if not self.project or self.project == self.user else f"{self.user}:{self.project}"
        suffix = "" if who == "admin" else f" (as {who})"
        # Two requests to one URL (two actions on one server) differ by their body: show it when short.
        body = f" {self.body}" if self.body and len(self.body) <= 60 else ""
        over = (" (over HTTP, eventlet server)" if self.server == "eventlet" else " (over HTTP)") if self.served else ""
        return f"{self.method} {self.path}{body}{suffix}{over}"

    def needs(self) -> list[str]:
        """The requests whose answers this one's path or body quotes (``{created.server.id}``)."""
        text = self.path + (self.body or "")
        return list(dict.fromkeys(m.group(1) for m in PLACEHOLDER.finditer(text)))

    def command(self) -> str:
        """The ``tracer run`` command line that records the same request."""
        if self.startup or self.file:
            return ""
        if self.served:
            return self._curl()
        parts = ["tracer", "run"] + (["--target", self.target] if self.target != "sample_api" else [])
        parts += [self.method, self.path] + (["--detail", "call"] if self.detail == "call" else [])
        if self.user != "admin" or self.project:
            parts += ["--as", self.user + (f":{self.project}" if self.project else "")]
        for key, value in self.headers.items():
            parts += ["-H", f"'{key}: {value}'"]
        if self.body is not None and len(self.body) < 200:
            parts += ["--data", "'" + self.body + "'"]
        return " ".join(parts)


    def _curl(self) -> str:
        """The request sent with curl to ``tracer serve --detail line`` (its port 8774)."""
        path = self.path if self.as_written or self.path.startswith("/v2.1") else "/v2.1" + self.path
        token = self.user + ":" + (self.project or self.user)
        parts = ["curl", "-H", f"'X-Auth-Token: {token}'"]
        for key, value in self.headers.items():
            parts += ["-H", f"'{key}: {value}'"]
        if self.method != "GET":
            parts += ["-X", self.method]
        if self.body is not None and len(self.body) < 200:
            parts += ["-H", "'Content-Type: application/json'", "-d", "'" + self.body + "'"]
        return " ".join([*parts, f"http://127.0.0.1:8774{path}"])


def parse_request(name: str, raw: object, where: str) -> RequestDef:
    """One request table; ``body`` may be a table (sent as JSON) or text (sent as it is)."""
    if not isinstance(raw, dict):
        raise LessonError(f"{where}: request {name!r} must be a table")
    unknown = set(raw) - REQUEST_KEYS
    if unknown:
        raise LessonError(f"{where}: request {name!r} has unknown keys {sorted(unknown)}")
    body = raw.get("body")
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    elif body is not None and not isinstance(body, str):
        raise LessonError(f"{where}: request {name!r}: body must be a table or a string")
    if "body_size" in raw:
        size = int(raw["body_size"])
        body = json.dumps({"padding": "x" * max(size - 16, 0)})
    who = str(raw.get("as", "admin"))
    user, _, project = who.partition(":")
    if raw.get("as_written") and not raw.get("served"):
        raise LessonError(f"{where}: request {name!r}: as_written needs served = true (only a served request "
                          "reaches the server with its path as written)")
    server = str(raw.get("server", "threaded"))
    if server not in SERVERS:
        raise LessonError(f"{where}: request {name!r}: server must be one of {SERVERS}, not {server!r}")
    if "server" in raw and not raw.get("served"):
        raise LessonError(f"{where}: request {name!r}: server needs served = true (only a served request goes "
                          "through a server)")
    headers = raw.get("headers", {})
    if not isinstance(headers, dict):
        raise LessonError(f"{where}: request {name!r}: headers must be a table")
    target, detail = raw.get("target", "sample_api"), raw.get("detail", "line")
    if target not in TARGETS:
        raise LessonError(f"{where}: request {name!r}: target must be one of {TARGETS}, not {target!r}")
    if detail not in ("line", "call"):
        raise LessonError(f"{where}: request {name!r}: detail must be 'line' or 'call', not {detail!r}")
    return RequestDef(
        name=name,
        method=str(raw.get("method", "GET")).upper(),
        path=str(raw.get("path", "/servers/detail")),
        body=body,
        headers={str(k): str(v) for k, v in headers.items()},
        user=user or "admin",
        project=project or None,
        startup=bool(raw.get("startup", False)),
        workspace=bool(raw.get("workspace", True)),
        file=raw.get("file"),
        describe=str(raw.get("describe", "")),
        target=target,
        detail=detail,
        served=bool(raw.get("served", False)),
        as_written=bool(raw.get("as_written", False)),
        server=server,
    )


@dataclass(frozen=True)
class Question:
    """A question graded against a trace.

    ``predict`` questions are asked while the replay is paused at the hop ``pause``, before the
    answer happens; ``fact`` questions are about the whole trace.
    """

    id: str
    kind: str
    request: str
    prompt: str
    answer: dict
    choices: list[str] = field(default_factory=list)
    pause: str | None = None
    explain: str = ""


@dataclass(frozen=True)
class Expectation:
    """One thing a check task asserts: a query, a comparison and an optional friendly message."""

    query: dict
    comparator: str
    expected: Any
    message: str = ""


@dataclass(frozen=True)
class Task:
    """One check task: what the learner must make true, on one recorded request."""

    id: str
    text: str
    request: str
    expect: list[Expectation]


@dataclass(frozen=True)
class WorkspaceSpec:
    """How the learner's code is loaded into sample_api during a check."""

    extensions: str | None = None
    paste: str | None = None
    policy: str | None = None
    #: a module of the workspace whose ``RequestHandler`` class reads each request of the served requests
    server: str | None = None


@dataclass
class Lesson:
    """One lesson, loaded from its folder."""

    number: int
    slug: str
    title: str
    minutes: int
    path: Path
    summary: str = ""
    requests: dict[str, RequestDef] = field(default_factory=dict)
    questions: list[Question] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    check_requests: dict[str, RequestDef] = field(default_factory=dict)
    tasks: list[Task] = field(default_factory=list)
    workspace: WorkspaceSpec = field(default_factory=WorkspaceSpec)

    @property
    def text(self) -> str:
        return (self.path / "lesson.md").read_text(encoding="utf-8")

    @property
    def starter(self) -> Path:
        return self.path / "starter"

    @property
    def solution(self) -> Path | None:
        """The reference solution: in a clone of the repository, never in an installed tracer (None there)."""
        folder = self.path / "solution"
        return folder if folder.is_dir() else None

    @property
    def label(self) -> str:
        return f"{self.number:02d} {self.title}"

    @property
    def targets(self) -> set[str]:
        """The apps the lesson's requests go to (``sample_api``; ``nova`` needs ``pip install 'tracer[nova]'``)."""
        requests = [*self.requests.values(), *self.check_requests.values()]
        return {request.target for request in requests}


@dataclass
class Course:
    """The ordered lessons of ``index.toml``."""

    root: Path
    format_version: int
    lessons: list[Lesson]

    def get(self, ref: str | int) -> Lesson:
        """A lesson by number (``3``, ``03``) or slug; :class:`LessonError` when there is none."""
        text = str(ref).strip()
        for lesson in self.lessons:
            if text == lesson.slug or (text.isdigit() and int(text) == lesson.number):
                return lesson
        known = f"1..{len(self.lessons)}" if self.lessons else "none"
        raise LessonError(f"no lesson {text!r} (lessons are {known}; see 'tracer lesson list')")


# -- loading ---------------------------------------------------------------------------------------


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LessonError(f"{path}: missing") from None
    except tomllib.TOMLDecodeError as exc:
        raise LessonError(f"{path}: not valid TOML ({exc})") from None


def _requests(data: dict, where: str) -> dict[str, RequestDef]:
    raw = data.get("requests", {})
    if not isinstance(raw, dict):
        raise LessonError(f"{where}: [requests] must be a table of named requests")
    return {name: parse_request(name, value, where) for name, value in raw.items()}


def _query(q: object, where: str) -> dict:
    try:
        validate_query(q, where)
    except QueryError as exc:
        raise LessonError(str(exc)) from None
    return dict(q)  # type: ignore[arg-type]


def _questions(data: dict, requests: dict[str, RequestDef], where: str) -> list[Question]:
    questions = []
    seen: set[str] = set()
    for n, raw in enumerate(data.get("question", []), 1):
        qid = str(raw.get("id", ""))
        here = f"{where}: question {qid or n}"
        if not qid or qid in seen:
            raise LessonError(f"{here}: every question needs a unique id")
        seen.add(qid)
        kind = raw.get("kind", "fact")
        if kind not in QUESTION_KINDS:
            raise LessonError(f"{here}: kind must be one of {QUESTION_KINDS}, not {kind!r}")
        request = raw.get("request")
        if request not in requests:
            raise LessonError(f"{here}: request {request!r} is not defined under [requests]")
        if not raw.get("prompt"):
            raise LessonError(f"{here}: no prompt")
        choices = raw.get("choices", [])
        if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
            raise LessonError(f"{here}: choices must be a list of strings")
        if kind == "predict" and not raw.get("pause"):
            raise LessonError(f"{here}: a predict question needs 'pause' (the hop the replay stops at)")
        questions.append(
            Question(
                id=qid,
                kind=kind,
                request=request,
                prompt=str(raw["prompt"]).strip(),
                answer=_query(raw.get("answer"), f"{here} answer"),
                choices=choices,
                pause=raw.get("pause"),
                explain=str(raw.get("explain", "")).strip(),
            )
        )
    return questions


def _expectation(raw: object, where: str) -> Expectation:
    q = _query(raw, where)
    present = [c for c in COMPARATORS if c in q]
    if len(present) > 1:
        raise LessonError(f"{where}: use one comparison of {COMPARATORS}, not {present}")
    comparator = present[0] if present else "truthy"
    expected = q.get(comparator, True)
    if comparator == "same_as":
        # The expected value is another query's answer, usually on another request of the check.
        expected = _query(expected, f"{where} same_as")
    query = {k: v for k, v in q.items() if k not in COMPARATORS and k != "message"}
    return Expectation(query=query, comparator=comparator, expected=expected, message=str(q.get("message", "")))


def _tasks(data: dict, requests: dict[str, RequestDef], where: str) -> list[Task]:
    tasks = []
    seen: set[str] = set()
    for n, raw in enumerate(data.get("task", []), 1):
        tid = str(raw.get("id", ""))
        here = f"{where}: task {tid or n}"
        if not tid or tid in seen:
            raise LessonError(f"{here}: every task needs a unique id")
        seen.add(tid)
        request = raw.get("request")
        if request not in requests:
            raise LessonError(f"{here}: request {request!r} is not defined under [requests]")
        expect = raw.get("expect", [])
        if not expect:
            raise LessonError(f"{here}: no expectations")
        for e in expect:
            other = e.get("same_as", {}).get("request") if isinstance(e.get("same_as"), dict) else None
            if other is not None and other not in requests:
                raise LessonError(f"{here}: same_as names request {other!r}, which is not defined")
        tasks.append(
            Task(
                id=tid,
                text=str(raw.get("text", tid)),
                request=request,
                expect=[_expectation(e, f"{here} expectation {i}") for i, e in enumerate(expect, 1)],
            )
        )
    return tasks


def load_lesson(root: Path, number: int, entry: dict) -> Lesson:
    """One lesson folder, validated."""
    slug = entry.get("slug")
    if not isinstance(slug, str) or not slug:
        raise LessonError(f"{root / 'index.toml'}: lesson {number} has no slug")
    path = root / slug
    if not path.is_dir():
        raise LessonError(f"{root / 'index.toml'}: lesson {number}: no folder {slug}/")
    if not (path / "lesson.md").is_file():
        raise LessonError(f"{path / 'lesson.md'}: missing")
    qdata = _read_toml(path / "questions.toml")
    requests = _requests(qdata, str(path / "questions.toml"))
    questions = _questions(qdata, requests, str(path / "questions.toml"))
    hdata = _read_toml(path / "hints.toml")
    hints = [str(h.get("text", "")).strip() for h in hdata.get("hint", [])]
    if not all(hints):
        raise LessonError(f"{path / 'hints.toml'}: every [[hint]] needs a text")
    cdata = _read_toml(path / "check.toml")
    check_requests = _requests(cdata, str(path / "check.toml"))
    tasks = _tasks(cdata, check_requests, str(path / "check.toml"))
    for request in check_requests.values():
        unknown = [name for name in request.needs() if name not in check_requests or name == request.name]
        if unknown:
            raise LessonError(f"{path / 'check.toml'}: request {request.name!r} quotes the answer to {unknown[0]!r}, "
                              "which is not another request of the check")
    ws = cdata.get("workspace", {})
    workspace = WorkspaceSpec(extensions=ws.get("extensions"), paste=ws.get("paste"), policy=ws.get("policy"),
                              server=ws.get("server"))
    if tasks and not (path / "starter").is_dir():
        raise LessonError(f"{path}: a lesson with check tasks needs a starter/ folder")
    return Lesson(
        number=number,
        slug=slug,
        title=str(entry.get("title", slug)),
        minutes=int(entry.get("minutes", 20)),
        path=path,
        summary=str(entry.get("summary", "")),
        requests=requests,
        questions=questions,
        hints=hints,
        check_requests=check_requests,
        tasks=tasks,
        workspace=workspace,
    )


def load_course(root: Path | None = None) -> Course:
    """The whole course, every lesson validated; :class:`LessonError` names the first problem."""
    root = root or lessons_root()
    data = _read_toml(root / "index.toml")
    version = data.get("format_version")
    if version != FORMAT_VERSION:
        raise LessonError(f"{root / 'index.toml'}: format_version {version!r} (this tracer reads {FORMAT_VERSION})")
    entries = data.get("lesson", [])
    if not entries:
        raise LessonError(f"{root / 'index.toml'}: no [[lesson]] entries")
    slugs = [e.get("slug") for e in entries]
    if len(set(slugs)) != len(slugs):
        raise LessonError(f"{root / 'index.toml'}: a slug appears twice")
    lessons = [load_lesson(root, n, e) for n, e in enumerate(entries, 1)]
    return Course(root=root, format_version=version, lessons=lessons)
