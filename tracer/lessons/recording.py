"""Record a lesson's requests through sample_api, with or without the learner's code loaded.

The learner's code enters sample_api the way an operator's would: an extensions folder
(``CONF.extensions_dir``, modules ``sample_api_extensions.<stem>``), an ``api-paste.ini``
(``CONF.api_paste_config``, whose filters and apps may live in the workspace's own modules) and
policy overrides (``sample_api.policy.RULES``). Everything is put back afterwards, and the
learner's modules are forgotten, so a teacher can check many workspaces in one process.
"""

from __future__ import annotations

import importlib
import json
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import tomllib

from tracer.lessons.model import LessonError, RequestDef, WorkspaceSpec, parse_request
from tracer.recorder import DEFAULT_INCLUDE, Recorder
from tracer.runner import RequestError, RequestSpec, build_environ

EXTENSION_PACKAGE = "sample_api_extensions"


class StudentCodeError(Exception):
    """The learner's code does not load; the message names the file and the line."""


@dataclass
class LoadedApi:
    """sample_api as loaded for one check or quiz: the app and what the recorder must include."""

    app: object
    include: tuple[str, ...]
    workspace: Path | None


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
    added = _add_path(workspace)
    try:
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
    finally:
        if added:
            sys.path.remove(str(workspace))
        _forget_modules(workspace)


def _add_path(workspace: Path) -> bool:
    path = str(workspace)
    if path in sys.path:
        return False
    sys.path.insert(0, path)
    importlib.invalidate_caches()
    return True


def _forget_modules(workspace: Path | None) -> None:
    """Drop the learner's modules (and every loaded extension module) so the next load reads the files again."""
    root = str(workspace.resolve()) if workspace else None
    for name, module in list(sys.modules.items()):
        if name == EXTENSION_PACKAGE or name.startswith(EXTENSION_PACKAGE + "."):
            sys.modules.pop(name, None)
            continue
        filename = getattr(module, "__file__", None)
        if root and filename and str(Path(filename).resolve()).startswith(root + "/"):
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
    from sample_api import conf, policy, service

    spec = spec or WorkspaceSpec()
    include = tuple(DEFAULT_INCLUDE)
    added = False
    conf.reset()
    policy.reset()
    _forget_modules(workspace)
    try:
        if workspace is not None:
            if spec.extensions and (workspace / spec.extensions).is_dir():
                conf.CONF.extensions_dir = str(workspace / spec.extensions)
            if spec.paste and (workspace / spec.paste).is_file():
                conf.CONF.api_paste_config = str((workspace / spec.paste).resolve())
            policy.RULES.update(_policy_overrides(workspace, spec))
            stems = tuple(p.stem for p in sorted(workspace.glob("*.py")))
            include += stems
            added = _add_path(workspace)
            try:
                app = service.load_app()
            except Exception as exc:
                raise StudentCodeError(
                    "sample_api did not start with your code: "
                    + describe_failure(exc, student_files(workspace, spec), workspace)
                ) from None
        else:
            app = service.load_app()
        yield LoadedApi(app=app, include=include, workspace=workspace)
    finally:
        conf.reset()
        policy.reset()
        if added:
            sys.path.remove(str(workspace))
        _forget_modules(workspace)


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
        return parse_request(request.name, raw, request.file)
    except LessonError as exc:
        raise StudentCodeError(str(exc)) from None


def record(request: RequestDef, api: LoadedApi) -> dict:
    """Record one request through ``api``; returns the trace document."""
    from tracer.runner import record_request

    if request.startup:
        return record_startup(api)
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
    return record_request(spec, app=api.app, include=api.include)


def record_startup(api: LoadedApi) -> dict:
    """A trace of ``service.load_app()`` itself: where APIRouter builds its routes and loads extensions."""
    from sample_api import service

    recorder = Recorder(include=api.include)
    session = recorder.start(None)
    error: BaseException | None = None
    try:
        service.load_app()
    except Exception as exc:  # keep the trace of a failed start: it shows where it failed
        error = exc
    finally:
        recorder.stop(session)
    status = "500 Internal Server Error" if error else "200 OK"
    doc = session.finish(None, b"", status, [], b"", error)
    doc["request"].update(method="LOAD", path="sample_api.service.load_app()")
    return doc


def body_json(doc: dict) -> object:
    try:
        return json.loads(doc["response"].get("body") or "null")
    except ValueError:
        return None
