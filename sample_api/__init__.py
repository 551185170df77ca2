"""A miniature OpenStack Nova compute API (v2.1), built the way Nova is built.

Module, class and method names follow Nova's so that a learner who later opens
the real Nova recognises every hop that tracer shows.
"""
