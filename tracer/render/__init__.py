"""Faces that print a trace: rich renderables that take a :class:`~tracer.model.trace.Trace` and never print.

``ResponseSummary`` (status line and body), ``HopTree`` (every call, nested) and ``PdbWalkthrough``
(the stack, printed as pdb prints it). The CLI decides where they go; tests render them into a capture console.
"""

from __future__ import annotations

from tracer.render.pdb import PdbWalkthrough, walkthrough_text
from tracer.render.response import ResponseSummary, status_line
from tracer.render.tree import HopTree

__all__ = ["HopTree", "PdbWalkthrough", "ResponseSummary", "status_line", "walkthrough_text"]
