"""The replay TUI's panes: each takes the trace and the cursor and follows the App's ``position``."""

from tracer.tui.widgets.header import TraceHeader
from tracer.tui.widgets.hops import HopList
from tracer.tui.widgets.note import HopNote
from tracer.tui.widgets.source import SourceView
from tracer.tui.widgets.stack import StackView
from tracer.tui.widgets.variables import VariablesView

__all__ = ["HopList", "HopNote", "SourceView", "StackView", "TraceHeader", "VariablesView"]
