"""Which app a command records: ``sample_api`` (the default), ``nova``, or any WSGI app named ``module:callable``.

A :class:`Target` is what the faces need of one: build the app (and its re-run twin), record a request
through it, and serve it. The apps themselves are imported only when a target is used.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tracer.model.labels import Labels, load_labels
from tracer.record.recorder import DEFAULT_INCLUDE, Recorder
from tracer.targets import LABEL_FILES, sample_api
from tracer.targets.pipeline import record_with_deltas
from tracer.targets.router import recorded_route
from tracer.targets.sample_api import RequestError, RequestSpec, build_environ
from tracer.targets.stamp import stamp

NAMES = ("sample_api", "nova")
_CALLABLE = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")


class TargetError(RequestError):
    """The target asked for cannot be used (unknown, not installed, not a WSGI app); one line for the user."""


@dataclass(frozen=True)
class Target:
    """One recordable app, as the command line uses it."""

    name: str
    #: module prefixes recorded by default
    include: tuple[str, ...]
    #: (db_path, extensions_dir) -> (app, twin): the app for the request and a fresh one for its re-run
    load_twins: Callable[[str | None, str | None], tuple[Callable, Callable]]
    #: (spec, app, twin, include, detail) -> trace document
    record: Callable[..., dict]
    #: a warning to print before using it (e.g. another Nova release than the one tracer was written for)
    warning: str | None = None
    #: what a served request's trace is stamped with (``tracer.targets.stamp``): (doc) -> doc
    stamp: Callable[[dict], dict] = lambda doc: doc
    #: its hop labels, when it brings its own
    labels: Labels | None = None


def target_named(name: str) -> Target:
    """The target called ``name``: ``sample_api``, ``nova`` or ``package.module:callable``."""
    if name in ("sample_api", "sample-api"):
        return Target("sample_api", DEFAULT_INCLUDE, sample_api.load_twins, _record_sample_api,
                      stamp=lambda doc: stamp(doc, sample_api.NAME, sample_api.DISTRIBUTIONS),
                      labels=load_labels(LABEL_FILES["sample_api"]))
    if name == "nova":
        return _nova()
    if _CALLABLE.match(name):
        return _wsgi_callable(name)
    raise TargetError(f"unknown target {name!r}: give sample_api, nova or module:callable (a WSGI app)")


def _record_sample_api(spec: RequestSpec, app: Callable, twin: Callable, include: Sequence[str], detail: str) -> dict:
    return sample_api.record_request(spec, app=app, twin=twin, include=include, detail=detail)


def _nova() -> Target:
    try:
        from tracer.targets import nova
    except ImportError as exc:  # Nova, or one of its libraries, is missing
        raise TargetError(f"the nova target needs OpenStack Nova ({exc}): pip install 'tracer[nova]'") from None
    try:
        warning = nova.version_warning()
    except nova.NovaMissing as exc:
        raise TargetError(str(exc)) from None

    def record(spec: RequestSpec, app: Callable, twin: Callable, include: Sequence[str], detail: str) -> dict:
        # the request goes through the probes; its re-run through the bare twin (here the same app) passes them by
        return record_with_deltas(app, spec.body, lambda probed_app: nova.record_request(
            spec, app=probed_app, twin=twin, include=include, detail=detail), recorded_route(app))

    return Target("nova", nova.INCLUDE, nova.load_twins, record, warning,
                  stamp=lambda doc: stamp(doc, nova.NAME, nova.DISTRIBUTIONS, nova.STOP),
                  labels=load_labels(LABEL_FILES["nova"]))


def _wsgi_callable(name: str) -> Target:
    """``module:callable``: imported with the current folder importable, its own top package recorded.

    There is no world to give a re-run back (the app's state is its own), so line detail traces the request
    itself, line by line.
    """
    module_name, _, attribute = name.partition(":")
    if "" not in sys.path and str(Path.cwd()) not in sys.path:
        sys.path.insert(0, str(Path.cwd()))
    try:
        app: object = importlib.import_module(module_name)
        for part in attribute.split("."):
            app = getattr(app, part)
    except ImportError as exc:
        raise TargetError(f"--target {name}: cannot import {module_name!r} ({exc})") from None
    except AttributeError:
        raise TargetError(f"--target {name}: {module_name!r} has no {attribute!r}") from None
    except Exception as exc:  # the module itself failed while it was imported
        raise TargetError(f"--target {name}: importing {module_name!r} failed: {type(exc).__name__}: {exc}") from None
    if not callable(app):
        raise TargetError(f"--target {name}: {attribute!r} is not callable, so not a WSGI app")
    top = module_name.split(".")[0]

    def load(db_path: str | None, extensions_dir: str | None) -> tuple[Callable, Callable]:
        if db_path is not None or extensions_dir is not None:
            raise TargetError("--db and --extensions-dir are sample_api's; a module:callable target has neither")
        return app, app  # type: ignore[return-value]

    def record(spec: RequestSpec, app: Callable, twin: Callable, include: Sequence[str], detail: str) -> dict:
        environ = build_environ(spec, compute_api=False)
        doc = record_with_deltas(app, spec.body, lambda probed_app: Recorder(
            include=tuple(include), detail=detail).call_wsgi(probed_app, environ)[3], recorded_route(app))
        return stamp(doc, name, (top,))

    return Target(name, (top,), load, record, stamp=lambda doc: stamp(doc, name, (top,)))
