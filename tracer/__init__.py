"""tracer: record one request through a miniature Nova API and replay it like pdb."""

__version__ = "0.1.0"
