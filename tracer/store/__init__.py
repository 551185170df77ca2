"""The trace store: every request ``tracer serve`` records, in one SQLite file.

How a trace is built from a stored recipe is handed to the store by whoever knows the app: the
store itself knows no app.
"""
