"""OpenTelemetry export for ``tracer serve --otlp-endpoint``: each request's hops as one tree of OTLP spans.

A team running several API workers reads its traces in Jaeger, Tempo or any OpenTelemetry collector, not
in one terminal. Each finished trace becomes one OTLP trace: a server span for the request, one span per
hop under it, parent and child as the hop tree, timed as recorded. Attributes say the hop's layer, its
function, file and line; nothing else of the trace goes out, so no argument, local, header or body (where
secrets live) ever leaves the machine. The OpenTelemetry SDK sends them (its OTLP/HTTP protobuf exporter,
from a background thread with a bounded queue), so a slow or absent collector never holds a request.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

from tracer.model.trace import Trace, TraceError

LOG = logging.getLogger("tracer.serve")

#: The OTLP/HTTP path for traces, added when the URL names only the collector (http://host:4318).
TRACES_PATH = "/v1/traces"
#: The service name the spans carry (``service.name``).
SERVICE_NAME = "sample-api"
#: Spans waiting to be sent; past this the SDK drops new ones rather than grow without bound.
MAX_QUEUE = 8192


class OtlpUnavailable(RuntimeError):
    """The OpenTelemetry packages are not installed; the message says how to install them."""


def traces_url(endpoint: str) -> str:
    """The full OTLP/HTTP traces URL for ``endpoint``, or ValueError with one line saying what is wrong."""
    parts = urlsplit(endpoint.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"--otlp-endpoint {endpoint!r} is not an http:// or https:// URL, "
                         "e.g. http://127.0.0.1:4318")
    try:
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        raise ValueError(f"--otlp-endpoint {endpoint!r} has an invalid port") from None
    path = parts.path if parts.path not in ("", "/") else TRACES_PATH
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


class OtlpExporter:
    """Turns trace documents into OTLP spans and hands them to the SDK's batch processor."""

    def __init__(self, endpoint: str, timeout: float = 5.0) -> None:
        url = traces_url(endpoint)
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
            from opentelemetry.sdk.resources import Resource
            from opentelemetry.sdk.trace import TracerProvider
            from opentelemetry.sdk.trace.export import BatchSpanProcessor
        except ImportError:
            raise OtlpUnavailable("--otlp-endpoint needs the OpenTelemetry SDK: pip install 'tracer[otlp]'") from None
        self.url = url
        self.provider = TracerProvider(resource=Resource.create({"service.name": SERVICE_NAME}))
        self.provider.add_span_processor(
            BatchSpanProcessor(OTLPSpanExporter(endpoint=url, timeout=timeout), max_queue_size=MAX_QUEUE)
        )
        self.tracer = self.provider.get_tracer("tracer")
        self.exported = 0

    def export(self, doc: dict) -> None:
        """Queue the spans of one trace document; never raises (a bad trace is logged and skipped)."""
        try:
            trace = Trace.from_dict(doc)
            self._spans(trace)
            self.exported += 1
        except (TraceError, KeyError, TypeError, ValueError) as exc:
            LOG.warning("tracer: could not export a trace to OTLP: %s", exc)

    def _spans(self, trace: Trace) -> None:
        from opentelemetry import trace as otel
        from opentelemetry.trace import SpanKind, Status, StatusCode

        start_ns = _start_ns(trace)
        status = trace.status
        request = trace.request
        root_attributes = {
            "http.request.method": str(request.get("method", "")),
            "url.path": str(request.get("path", "")).partition("?")[0],
            "http.response.status_code": status,
            "tracer.hops": len(trace.calls),
        }
        if isinstance(trace.meta.get("request_id"), str):
            root_attributes["openstack.request_id"] = trace.meta["request_id"]
        root = self.tracer.start_span(trace.request_line.partition("?")[0], kind=SpanKind.SERVER,
                                      attributes=root_attributes, start_time=start_ns)
        if status >= 500:
            root.set_status(Status(StatusCode.ERROR))
        spans: dict[int, object] = {}
        for call in trace.calls:
            code = trace.code(call)
            parent = spans.get(trace.parent[call], root)
            if code.is_inline:  # a comprehension is part of its function: its calls hang under that
                spans[call] = parent
                continue
            span = self.tracer.start_span(
                code.qualname,
                context=otel.set_span_in_context(parent),
                attributes={
                    "tracer.layer": code.layer,
                    "code.function.name": f"{code.module}.{code.qualname}",
                    "code.file.path": code.filename,
                    "code.line.number": code.firstlineno,
                },
                start_time=start_ns + trace.times[call] * 1000,
            )
            if trace.outcome(call).kind == "raised":
                span.set_status(Status(StatusCode.ERROR))
            spans[call] = span
        for call, span in spans.items():
            if span is root or trace.code(call).is_inline:
                continue
            span.end(end_time=start_ns + trace.times[trace.end_of.get(call, call)] * 1000)
        root.end(end_time=start_ns + max(trace.duration_us, trace.times[-1] if len(trace) else 0) * 1000)

    def shutdown(self) -> None:
        """Send what is queued, then stop the exporter's thread."""
        self.provider.shutdown()


def _start_ns(trace: Trace) -> int:
    """When the request started, in nanoseconds since the epoch (now, if the trace does not say)."""
    text = trace.meta.get("recorded_at")
    try:
        moment = datetime.strptime(str(text), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    except ValueError:
        moment = datetime.now(UTC)
    return int(moment.timestamp() * 1_000_000) * 1000
