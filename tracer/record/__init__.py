"""Recording: turning the interpreter's events during one request into a trace document.

The engine, as Python's ``bdb`` is to ``pdb``: it knows the trace model and nothing of the app it
records (a target hands it the app) nor of any face (rich, Textual).
"""
