"""Per-hop deltas for every request ``tracer serve`` records, stored with its trace (``tracer show ID --deltas``).

The served app gets a probe in front of each of its layers for as long as it is served (see
:mod:`tracer.targets.pipeline`); they record only into the :class:`~tracer.record.deltas.DeltaRecorder` that
watches the request being served in that thread or green thread, so concurrent requests never mix. A request
recorded while it runs is watched, and its deltas are described after the response is made, in its own thread,
before its trace goes to the writer. A request kept as a recipe is not watched (it pays for no probe): its
trace gets the deltas of the re-run that builds it (``tracer.targets.recipes.build_trace``), which must
answer exactly what the client got.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from tracer.record.deltas import DeltaRecorder, make_probe, watching_recorder
from tracer.targets.pipeline import hop_of, install_probes, unprobe
from tracer.targets.router import recorded_route


class ServedDeltas:
    """The probes of one served app, and what attaches each request's deltas to its trace."""

    def __init__(self, app: Callable) -> None:
        self.served = app
        install_probes(app)
        #: the served app behind a probe of its own: what the recorders call instead of it
        self.app = make_probe(app, hop_of(app))
        #: how the app's router routed a request, from the environ the probes saw reach it (the router hop's note)
        self.explain_route = recorded_route(app)

    def watched(self, app: Callable) -> Callable:
        """``app`` (the recording app, outermost), each request through it watched by a recorder of its own."""

        def watched_request(environ: dict, start_response: Callable) -> Iterable[bytes]:
            with DeltaRecorder().watching():
                return app(environ, start_response)

        return watched_request

    def around(self, run: Callable[[Callable[[], None]], None]) -> Callable[[Callable[[], None]], None]:
        """The server's ``around_connection`` ``run``, each connection it serves watched by a recorder of its own
        (a trace that starts at the server is handed on after the answer is sent, so the watch spans it)."""

        def watched_connection(serve_connection: Callable[[], None]) -> None:
            with DeltaRecorder().watching():
                run(serve_connection)

        return watched_connection

    def attach(self, submit: Callable[[dict], None]) -> Callable[[dict], None]:
        """``submit`` given each trace with the deltas of its request (in its ``deltas``) and how the router routed
        it (in its ``route``)."""

        def submit_with_deltas(doc: dict) -> None:
            recorder = watching_recorder()
            if recorder is not None and recorder.boundaries:
                route = self.explain_route(recorder)
                if route is not None:
                    doc["route"] = route
            deltas = _taken()
            if deltas is not None:
                doc["deltas"] = deltas
            submit(doc)

        return submit_with_deltas

    def close(self) -> None:
        """The served app's layers as they were."""
        unprobe(self.served)


def _taken() -> list[dict] | None:
    """The deltas of the request being served, described now; the recorder then holds nothing."""
    recorder = watching_recorder()
    if recorder is None or not recorder.boundaries:
        return None
    try:
        return recorder.deltas()
    finally:
        recorder.let_go()
