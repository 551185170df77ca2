"""Targets: the apps tracer records, and the only package that knows a particular one.

``sample_api`` loads the miniature Nova API, runs a request through it in-process and gives a re-run
the same world (database snapshot, clock, ids); ``recipes`` keeps a served request as what it read so
that its trace can be built later.
"""
