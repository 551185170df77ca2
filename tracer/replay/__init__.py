"""Replay: pdb's stepping commands over a recorded trace, forward and backward, and where the pdb-style
walkthrough stops. It reads the trace model only; the TUI and the renderers are faces over it.
"""
