"""Classroom lessons on top of recorded traces.

The engine part (manifest, queries, grading, recording, checks, progress, workspaces) knows
nothing of rich or Textual, like the rest of tracer's engine; ``cli`` prints plain text and
``tui`` is the only module that imports Textual.
"""
