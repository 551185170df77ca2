"""The trace model: one recorded request as a document, the values in it, and the labels of its hops.

The bottom layer: standard library only. Everything above reads traces through it; nothing in it
knows how a trace was recorded or how it will be shown.
"""
