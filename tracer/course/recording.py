"""Record a lesson's requests through sample_api, with or without the learner's code loaded (or through real
Nova, for a request whose ``target`` is ``nova``: there the learner changes the request, never Nova).

The learner's code enters sample_api the way an operator's would: an extensions folder
(``CONF.extensions_dir``, modules ``sample_api_extensions.<stem>``), an ``api-paste.ini``
(``CONF.api_paste_config``, whose filters and apps may live in the workspace's own modules) and
policy overrides (``sample_api.policy.RULES``). Everything is put back afterwards, and the
learner's modules are forgotten, so a teacher can check many workspaces in one process.
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
import traceback
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from tracer.course import served
from tracer.course.model import PLACEHOLDER, Lesson, LessonError, RequestDef, WorkspaceSpec, parse_request
from tracer.record.recorder import DEFAULT_INCLUDE
from tracer.targets import sample_api as target
from tracer.targets.sample_api import RequestError, RequestSpec, build_environ


class StudentCodeError(Exception):
    """The learner's code does not load; the message names the file and the line."""


@dataclass
class LoadedApi:
    """sample_api as loaded for one check or quiz: the app and what the recorder must include."""

    app: object
    include: tuple[str, ...]
    workspace: Path | None
    #: the request handler class the server uses for served requests (None: sample_api's own)
    protocol: type | None = None


# -- the learner's modules ---------------------------------------------------------------------------


def student_files(workspace: Path, spec: WorkspaceSpec) -> list[Path]:
    """The learner's Python files that sample_api will import: the workspace root and its extensions folder."""
    files = sorted(workspace.glob("*.py"))
    if spec.extensions:
        files += sorted((workspace / spec.extensions).glob("*.py"))
    return files


def describe_failure(exc: BaseException, files: list[Path], workspace: Path) -> str:
    """``extensions/hello.py line 12: NameError: ...``, from the deepest frame in the learner's files."""
    wanted = {str(f.resolve()) for f in files}
    where = None
    if isinstance(exc, SyntaxError) and exc.filename and str(Path(exc.filename).resolve()) in wanted:
        where = (Path(exc.filename), exc.lineno or 0)
    else:
        for frame in traceback.extract_tb(exc.__traceback__):
            if str(Path(frame.filename).resolve()) in wanted:
                where = (Path(frame.filename), frame.lineno or 0)
    message = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if isinstance(exc, SyntaxError):
        message = f"SyntaxError: {exc.msg}"
    if where is None:
        return message
    try:
        shown = where[0].resolve().relative_to(workspace.resolve())
    except ValueError:
        shown = where[0]
    return f"{shown} line {where[1]}: {message}"


def preflight(workspace: Path, spec: WorkspaceSpec) -> None:
    """Import each learner file once under a scratch name: a file that does not import is one clear line."""
    files = student_files(workspace, spec)
    with target.importable(workspace):
        for path in files:
            name = f"_tracer_preflight_{path.stem}"
            try:
                source = path.read_text(encoding="utf-8")
                code = compile(source, str(path), "exec")
                module = type(sys)(name)
                module.__file__ = str(path)
                sys.modules[name] = module
                exec(code, module.__dict__)
            except Exception as exc:  # whatever the learner's module raises, say where
                raise StudentCodeError(describe_failure(exc, files, workspace)) from None
            finally:
                sys.modules.pop(name, None)


def _policy_overrides(workspace: Path, spec: WorkspaceSpec) -> dict[str, str]:
    if not spec.policy:
        return {}
    path = workspace / spec.policy
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise StudentCodeError(f"{spec.policy}: not valid TOML ({exc})") from None
    rules = data.get("rules", {})
    if not isinstance(rules, dict) or not all(isinstance(v, str) for v in rules.values()):
        raise StudentCodeError(f"{spec.policy}: [rules] must map rule names to strings such as \"admin_api\"")
    return rules


@contextmanager
def sample_api(workspace: Path | None = None, spec: WorkspaceSpec | None = None) -> Iterator[LoadedApi]:
    """A fresh sample_api (fresh demo database), with the learner's code when ``workspace`` is given."""
    spec = spec or WorkspaceSpec()
    include = tuple(DEFAULT_INCLUDE)
    if workspace is None:
        with target.loaded_app() as app:
            yield LoadedApi(app=app, include=include, workspace=None)
        return
    extensions = workspace / spec.extensions if spec.extensions else None
    paste = workspace / spec.paste if spec.paste else None
    rules = _policy_overrides(workspace, spec)
    include += tuple(p.stem for p in sorted(workspace.glob("*.py")))
    loading = target.loaded_app(
        extensions_dir=extensions if extensions and extensions.is_dir() else None,
        paste_config=paste.resolve() if paste and paste.is_file() else None,
        policy_rules=rules,
        code_dir=workspace,
    )
    try:
        app = loading.__enter__()
    except Exception as exc:
        where = describe_failure(exc, student_files(workspace, spec), workspace)
        raise StudentCodeError(f"sample_api did not start with your code: {where}") from None
    try:
        try:
            protocol = served.handler_class(workspace, spec)
        except served.ServedRequestError as exc:
            raise StudentCodeError(str(exc)) from None
        except Exception as exc:
            where = describe_failure(exc, student_files(workspace, spec), workspace)
            raise StudentCodeError(f"the server did not start with your code: {where}") from None
        yield LoadedApi(app=app, include=include, workspace=workspace, protocol=protocol)
    finally:
        loading.__exit__(None, None, None)


# -- requests ----------------------------------------------------------------------------------------


def resolve_request(request: RequestDef, workspace: Path | None) -> RequestDef:
    """A request whose definition lives in the workspace (``file = "request.toml"``) read from there."""
    if not request.file:
        return request
    if workspace is None:
        raise LessonError(f"the request {request.name!r} is read from a workspace file; give a workspace")
    path = workspace / request.file
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StudentCodeError(f"{request.file}: missing (run 'tracer lesson reset' to get it back)") from None
    except tomllib.TOMLDecodeError as exc:
        raise StudentCodeError(f"{request.file}: not valid TOML ({exc})") from None
    try:
        parsed = parse_request(request.name, raw, request.file)
    except LessonError as exc:
        raise StudentCodeError(str(exc)) from None
    # the lesson says which app the request goes to and how much is recorded, unless the file says otherwise
    return replace(parsed, **{key: getattr(request, key) for key in ("target", "detail") if key not in raw})


def answer_json(doc: Mapping[str, Any]) -> Any:
    """The JSON body a recorded request was answered with (None when it was not JSON)."""
    try:
        return json.loads(doc.get("response", {}).get("body") or "null")
    except (ValueError, AttributeError):
        return None


def fill(request: RequestDef, answers: Mapping[str, Any]) -> RequestDef:
    """Put values from earlier answers into a request: ids the learner cannot know before the check runs."""

    def value(match: re.Match) -> str:
        node = answers.get(match.group(1))
        for step in match.group(2).strip(".").split("."):
            if isinstance(node, list) and step.isdigit() and int(step) < len(node):
                node = node[int(step)]
            elif isinstance(node, dict) and step in node:
                node = node[step]
            else:
                raise StudentCodeError(
                    f"the check could not go on: the answer to {match.group(1)!r} has no {match.group(2).strip('.')}"
                )
        return str(node)

    if not request.needs():
        return request
    body = PLACEHOLDER.sub(value, request.body) if request.body is not None else None
    return replace(request, path=PLACEHOLDER.sub(value, request.path), body=body)


def request_spec(request: RequestDef) -> RequestSpec:
    """What the recorder sends for a lesson's request; a request that cannot be sent is the learner's error."""
    spec = RequestSpec(
        method=request.method,
        path=request.path,
        body=request.body.encode("utf-8") if request.body is not None else None,
        headers=dict(request.headers),
        user=request.user,
        project=request.project,
    )
    try:
        build_environ(spec)
    except RequestError as exc:
        raise StudentCodeError(f"the request cannot be sent: {exc}") from None
    return spec


def record(request: RequestDef, api: LoadedApi) -> dict:
    """Record one request through ``api``; returns the trace document."""
    from tracer.targets.sample_api import record_request

    if request.startup:
        return record_startup(api)
    if request.target == "nova":
        return record_in_nova(request)
    spec = request_spec(request)
    if request.served:
        try:
            return served.record_served(spec, api.app, api.include, api.protocol, request.as_written,
                                        request.server)
        except served.ServedRequestError as exc:
            raise StudentCodeError(str(exc)) from None
    return record_request(spec, app=api.app, include=api.include, detail=request.detail)


#: What a lesson says, in one line, where a request of it goes to real Nova and Nova is not installed.
NOVA_MISSING = ("lesson {number} records real OpenStack Nova, which is not installed here: "
                "pip install 'tracer[nova]' (then run this again); skipped")


def nova_installed() -> bool:
    try:
        from tracer.targets import nova
    except ImportError:  # one of the libraries Nova's target needs is missing
        return False
    return nova.installed()


def missing_app(lesson: Lesson) -> str | None:
    """The one line that says how to install what the lesson records, when it is not installed (None: all there)."""
    if "nova" in lesson.targets and not nova_installed():
        return NOVA_MISSING.format(number=lesson.number)
    return None


def record_in_nova(request: RequestDef) -> dict:
    """Record one request through real Nova (one per process, shared by every request; the learner's code
    never enters it: a lesson on Nova changes the request only)."""
    if not nova_installed():
        raise LessonError(f"the request {request.name!r} goes to real OpenStack Nova: pip install 'tracer[nova]'")
    from tracer.targets import nova

    spec = request_spec(request)
    app, twin = nova.load_twins()
    return nova.record_request(spec, app=app, twin=twin, detail=request.detail)


def record_startup(api: LoadedApi) -> dict:
    """A trace of sample_api loading itself: where APIRouter builds its routes and loads extensions."""
    return target.record_app_loading(api.include)
