"""Classroom lessons: plain files read by ``tracer lesson``."""
