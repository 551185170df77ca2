"""The source pane: the viewed frame's file as the trace recorded it, with the current line marked."""

from __future__ import annotations

from collections import defaultdict

from rich.style import Style
from rich.text import Text
from textual._tree_sitter import TREE_SITTER, get_language
from textual.cache import LRUCache
from textual.document._document import Document
from textual.document._document_navigator import DocumentNavigator
from textual.document._syntax_aware_document import SyntaxAwareDocument, SyntaxAwareDocumentError
from textual.document._wrapped_document import WrappedDocument
from textual.geometry import Region, Size
from textual.reactive import Reactive, reactive
from textual.widgets import TextArea
from textual.widgets.text_area import Selection
from tree_sitter import Parser

from tracer.replay import Cursor, Position
from tracer.trace import Trace
from tracer.tui.widgets.memo import MemoStylesCache, StillLines
from tracer.tui.widgets.scrollbars import QuietScrollBars

CURRENT_LINE = Style(bgcolor="#3a3a00", bold=True)
BREAKPOINT_LINE = Style(bgcolor="#5f0000")

#: Prepared tree-sitter highlight queries by language: the same for every document and every pane.
_PREPARED_QUERIES: dict[str, object] = {}


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

    def get_size(self, tab_width: int) -> Size:
        """Measured once a tab width: TextArea measures every line again each time the file comes back."""
        size = self._sizes.get(tab_width)
        if size is None:
            size = self._sizes[tab_width] = super().get_size(tab_width)
        return size

    def replace_range(self, start, end, text: str):
        self._sizes.clear()
        return super().replace_range(start, end, text)


class FastWrappedDocument(WrappedDocument):
    """A ``WrappedDocument`` whose ``height`` costs nothing: TextArea reads it for every line it draws,
    and the base class sums it over the whole file each time (one entry a wrapped line: the same count)."""

    @property
    def height(self) -> int:
        return len(self._offset_to_line_info)


class SourceView(StillLines, QuietScrollBars, TextArea):
    """A read-only ``TextArea.code_editor``: Python highlighting and line numbers from tree-sitter.

    The text comes from the trace (``trace.files``), never from disk, so it is the code that ran
    even if the file changed since. The line being run is painted in ``get_line`` (the hook
    TextArea offers for extra styling), breakpoint lines too.

    A step must stay cheap (issue 4: <= 10 ms a key), so:

    * each file is parsed and highlighted once: its document and highlight map are kept and swapped
      back in when the replay returns to it, and the tree-sitter query is prepared once;
    * its size is fixed by the CSS, so a new document's size needs no layout pass of the screen;
    * moving the painted line repaints the two lines concerned and the bottom border (``line N``),
      not the whole pane (TextArea repaints everything on a cursor move).
    """

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), repaint=True, layout=False)
    selection: Reactive[Selection] = reactive(Selection(), init=False, always_update=True, repaint=False)
    position: reactive[Position] = reactive(Position(0, -1), repaint=False)
    breakpoints: reactive[frozenset] = reactive(frozenset(), repaint=False)

    @classmethod
    def for_trace(cls, trace: Trace, cursor: Cursor, **kwargs) -> SourceView:
        view = cls.code_editor("", language="python", read_only=True, highlight_cursor_line=False, **kwargs)
        assert isinstance(view, SourceView)
        view.trace = trace
        view.cursor = cursor
        return view

    def __init__(self, *args, **kwargs) -> None:
        self._documents: dict[str, tuple] = {}  # filename -> what _set_document built for it
        self._bracket_shown = False  # a matching bracket was painted at the last cursor move
        super().__init__(*args, **kwargs)
        self.trace: Trace | None = None
        self.cursor: Cursor | None = None
        self.filename = ""
        self.current_line = 0  # 1-based; 0 when nothing is shown
        self._marked: set[int] = set()
        self._styles_cache = MemoStylesCache()

    # -- following the replay ----------------------------------------------------------------------

    def watch_position(self, position: Position) -> None:
        trace, cursor = self.trace, self.cursor
        if trace is None or cursor is None or position.frame < 0:
            return
        filename = trace.code(position.frame).filename
        line = cursor.viewed_line()
        if self.cursor_location[0] != self.current_line - 1:
            # The learner moved the TextArea's cursor off the painted line: its cached render would
            # keep the paint. (Otherwise moving the cursor with the line re-renders both lines.)
            self._line_cache.clear()
            self.refresh()
        new_file = filename != self.filename
        target = (max(line - 1, 0), 0)
        placed = False
        if new_file:
            self.filename = filename
            placed = self._show_file(filename, target)
            self._mark_breakpoints()
            self.border_title = filename
        self.current_line = line
        self._set_subtitle(f"line {line}")
        if not placed:
            self.move_cursor(target)
        # A new document is repainted whole; centre its line now, and once more after the next refresh
        # in case its scrollbars changed the pane's size (the first time, the size is only known then).
        if new_file:
            if self.size:
                self.scroll_cursor_visible(center=True)
            self.call_after_refresh(self.scroll_cursor_visible, center=True)

    def _show_file(self, filename: str, cursor: tuple[int, int]) -> bool:
        """Load ``filename``'s text: parsed and highlighted the first time, swapped back in afterwards.

        Each file keeps its own cache of rendered lines too: back in a file, the lines drawn before
        are not drawn again. (A line's cache key is its place and the cursor's, and the painted
        line is the cursor's, so a line cached in a file stays right for that file.)

        A document swapped back in gets its cursor at ``cursor`` straight away (True): moving it
        to the top first, then to its line, scrolls the pane twice (about half a millisecond).
        """
        kept = self._documents.get(filename)
        if kept is None:
            assert self.trace is not None
            self._highlights = defaultdict(list)  # a new map: the old one stays with its document
            self._line_cache = LRUCache(1024)
            self.load_text(self.trace.files.get(filename) or f"# the trace holds no source for {filename}\n")
            self._documents[filename] = self._document_state()
            return False
        self.document, self.wrapped_document, self.navigator, self._highlights, self._highlight_query, lines = kept
        self._line_cache = lines  # before anything clears the line cache: the previous file keeps its own
        self.move_cursor(cursor)  # validated against the document just swapped in
        wrapped = self.wrapped_document
        if wrapped._width != self.wrap_width or wrapped._tab_width != self.indent_width:
            self._rewrap_and_refresh_virtual_size()  # wrapped for another width: its lines are drawn again
        else:
            self._refresh_size()
        self.refresh()
        return True

    def notify_style_update(self) -> None:
        self._clear_line_caches()
        super().notify_style_update()

    def _clear_line_caches(self) -> None:
        """Forget every file's rendered lines (the styles, the theme or the breakpoints changed)."""
        for state in self._documents.values():
            state[-1].clear()
        self._line_cache.clear()

    def _document_state(self) -> tuple:
        return (self.document, self.wrapped_document, self.navigator, self._highlights, self._highlight_query,
                self._line_cache)

    def _set_document(self, text: str, language: str | None) -> None:
        """TextArea's, with the highlight query prepared once (tree-sitter takes ~50 ms to prepare it)
        instead of once a document."""
        builtin = TREE_SITTER and language and language not in self._languages
        document_language = get_language(language) if builtin else None
        if document_language is None:
            super()._set_document(text, language)
            return
        try:
            document = ParsedDocument(text, document_language)
        except SyntaxAwareDocumentError:
            super()._set_document(text, language)
            return
        query = _PREPARED_QUERIES.get(language)
        if query is None:
            query = _PREPARED_QUERIES[language] = document.prepare_query(self._get_builtin_highlight_query(language))
        self._highlight_query = query
        self.document = document
        self.wrapped_document = FastWrappedDocument(document, tab_width=self.indent_width)
        self.navigator = DocumentNavigator(self.wrapped_document)
        self._build_highlight_map()
        self.move_cursor((0, 0))
        self._rewrap_and_refresh_virtual_size()

    def _set_subtitle(self, subtitle: str) -> None:
        """``border_subtitle = subtitle``, repainting only the bottom border row it is drawn on."""
        old = self._border_subtitle
        if old is not None and old.plain == subtitle:
            return
        if old is None or not self.is_mounted:
            self.border_subtitle = subtitle
            return
        self._border_subtitle = self.render_str(subtitle).expand_tabs(4).split()[0]  # as Widget's setter does
        left, top = self.content_offset
        width, height = self.outer_size
        self.refresh(Region(-left, height - 1 - top, width, 1))

    def watch_virtual_size(self, size: Size) -> None:
        self._scroll_update(size)  # what a layout pass would do for the scrollbars

    def watch_selection(self, previous: Selection, selection: Selection) -> None:
        """Repaint what a cursor move changes (TextArea's own ``selection`` repaints the whole pane)."""
        bracket = self._matching_bracket_location is not None
        simple = (
            previous.start == previous.end
            and selection.start == selection.end
            and not self.soft_wrap
            and not bracket
            and not self._bracket_shown
        )
        self._bracket_shown = bracket
        if simple:
            self.refresh_line(previous.end[0])
            self.refresh_line(selection.end[0])
        else:
            self.refresh()

    # -- breakpoints -------------------------------------------------------------------------------

    def watch_breakpoints(self) -> None:
        self._mark_breakpoints()
        self._clear_line_caches()
        self.refresh()

    def _mark_breakpoints(self) -> None:
        self._marked = {line for kind, (filename, line) in self._line_breakpoints() if filename == self.filename}

    def _line_breakpoints(self):
        return ((kind, key) for kind, key in self.breakpoints if kind == "line")

    @property
    def selected_line(self) -> int:
        """The 1-based line under the TextArea's own cursor (where ``b`` puts a line breakpoint)."""
        return self.cursor_location[0] + 1

    def get_line(self, line_index: int) -> Text:
        line = super().get_line(line_index)
        number = line_index + 1
        if number == self.current_line:
            line.stylize(CURRENT_LINE)
        elif number in self._marked:
            line.stylize(BREAKPOINT_LINE)
        return line
