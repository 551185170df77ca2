"""The source pane's documents: parsed in one call, measured once, and their lines drawn as TextArea draws them.

Textual's ``TextArea`` is built for editing: it parses a document by pulling it line by line, measures
every line each time a document comes back, and draws a line only when it is on screen. The replay
only reads, so :mod:`tracer.tui.widgets.source` keeps each file's document and can draw its lines
ahead of time; these are the pieces it does that with.
"""

from __future__ import annotations

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual._text_area_theme import TextAreaTheme
from textual.document._document import Document, _utf8_encode
from textual.document._syntax_aware_document import SyntaxAwareDocument
from textual.document._wrapped_document import WrappedDocument
from textual.geometry import Size
from textual.strip import Strip
from textual.widgets._text_area import build_byte_to_codepoint_dict
from tree_sitter import Parser


class ParsedDocument(SyntaxAwareDocument):
    """A ``SyntaxAwareDocument`` parsed from its bytes in one call (several times faster than
    tree-sitter pulling them line by line through ``_read_callable``).

    The bytes are what ``_read_callable`` hands tree-sitter: every line followed by the newline, the
    last one too, so the tree (and the highlighting) is the same.
    """

    def __init__(self, text: str, language) -> None:
        Document.__init__(self, text)
        self.language = language
        self._parser = Parser(language)
        newline = self.newline
        self._syntax_tree = self._parser.parse((newline.join(self._lines) + newline).encode("utf-8"))
        self._sizes: dict[int, Size] = {}
        self._text: str | None = None

    @property
    def text(self) -> str:
        """Joined once: TextArea asks for the whole text on every line it draws (to know whether to
        show its placeholder), and the replay never edits it."""
        if self._text is None:
            self._text = super().text
        return self._text

    def get_size(self, tab_width: int) -> Size:
        """Measured once a tab width: TextArea measures every line again each time the file comes back."""
        size = self._sizes.get(tab_width)
        if size is None:
            size = self._sizes[tab_width] = super().get_size(tab_width)
        return size

    def replace_range(self, start, end, text: str):
        self._sizes.clear()
        self._text = None
        return super().replace_range(start, end, text)


class FastWrappedDocument(WrappedDocument):
    """A ``WrappedDocument`` whose ``height`` costs nothing: TextArea reads it for every line it draws,
    and the base class sums it over the whole file each time (one entry a wrapped line: the same count)."""

    @property
    def height(self) -> int:
        return len(self._offset_to_line_info)


def draw_plain_line(document: Document, highlights: dict, line_index: int, theme: TextAreaTheme, *,
                    indent_width: int, first_number: int, width: int, console: Console,
                    mark: Style | None = None) -> Strip:
    """Line ``line_index`` as ``TextArea._render_line`` draws it unscrolled, unwrapped and away from
    the cursor and any selection: its number, then its highlighted text padded to the widest line
    (or the pane's ``width``); with ``mark``, painted as ``TextArea.get_line`` paints a line before
    TextArea highlights it. The tests compare the two line by line.
    """
    assert theme.base_style is not None
    line = Text(document.get_line(line_index), end="", no_wrap=True)
    if mark is not None:
        line.stylize(mark)
    line.tab_size = indent_width
    line.set_length(len(line) + 1)  # TextArea's room for the cursor at the end of a line
    styles = theme.syntax_styles
    spans = highlights.get(line_index)
    if spans:
        codepoint = build_byte_to_codepoint_dict(_utf8_encode(line.plain))
        for start, end, name in spans:
            style = styles.get(name)
            if style is not None:
                line.stylize(style, codepoint.get(start, 0), codepoint.get(end) if end else None)
    line.expand_tabs(indent_width)
    gutter_width = len(str(document.line_count - 1 + first_number)) + 2
    virtual_width = document.get_size(indent_width).width + gutter_width + 1
    number = f"{line_index + first_number:>{gutter_width - 2}}  "
    text = Strip(line.render(console), cell_length=line.cell_len).crop(0, virtual_width)
    text = text.extend_cell_length(max(virtual_width, width) - gutter_width, theme.base_style)
    gutter = Strip([Segment(number, theme.gutter_style)], cell_length=gutter_width)
    return Strip.join([gutter, text]).apply_style(theme.base_style)
