"""The ``tracer`` command: a face that parses arguments, calls the engine and prints with rich.

``tracer run`` never imports Textual; only opening the replay does.
"""
