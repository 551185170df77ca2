"""Serving: the API on a real socket with every request recorded into the trace store (``tracer serve``)."""
