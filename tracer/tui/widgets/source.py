"""The source pane: the viewed frame's file as the trace recorded it, with the current line marked."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator

from rich.style import Style
from rich.text import Text
from textual._tree_sitter import TREE_SITTER, get_language
from textual.cache import LRUCache
from textual.document._document import Document
from textual.document._document_navigator import DocumentNavigator
from textual.document._syntax_aware_document import SyntaxAwareDocument, SyntaxAwareDocumentError
from textual.geometry import Offset, Region, Size, Spacing
from textual.reactive import Reactive, reactive
from textual.strip import Strip
from textual.widgets import TextArea
from textual.widgets.text_area import Selection

from tracer.model.trace import Trace
from tracer.replay.cursor import Cursor, Position
from tracer.tui.widgets.documents import FastWrappedDocument, ParsedDocument, draw_plain_line
from tracer.tui.widgets.kept import KeptComponentStyles, KeptRichStyle, KeptScreen, OncePerRender, StillLines
from tracer.tui.widgets.memo import MemoStylesCache, compositor_cuts
from tracer.tui.widgets.scrollbars import QuietScrollBars

CURRENT_LINE = Style(bgcolor="#3a3a00", bold=True)
BREAKPOINT_LINE = Style(bgcolor="#5f0000")

#: Prepared tree-sitter highlight queries by language: the same for every document and every pane.
_PREPARED_QUERIES: dict[str, object] = {}

#: Lines drawn ahead in one unit of work (see :meth:`SourceView.work_ahead`).
AHEAD_LINES = 24


class SourceView(KeptComponentStyles, KeptRichStyle, KeptScreen, OncePerRender, StillLines, QuietScrollBars,
                 TextArea):
    """A read-only ``TextArea.code_editor``: Python highlighting and line numbers from tree-sitter.

    The text comes from the trace (``trace.files``), never from disk, so it is the code that ran
    even if the file changed since. The line being run is painted in ``get_line`` (the hook
    TextArea offers for extra styling), breakpoint lines too.

    A step must stay cheap, so:

    * each file is parsed and highlighted once: its document and highlight map are kept and swapped
      back in when the replay returns to it, and the tree-sitter query is prepared once;
    * its size is fixed by the CSS, so a new document's size needs no layout pass of the screen;
    * moving the painted line repaints the two lines concerned and the bottom border (``line N``),
      not the whole pane (TextArea repaints everything on a cursor move);
    * while the pane has no focus, a step within the file leaves TextArea's cursor where it is (its
      move sets off TextArea's selection watchers and a message, half a step's cost in this pane): the
      pane scrolls the painted line into view itself, and the cursor joins it when the pane is focused;
    * with a big trace, the app has it parse every file and draw every line once while the learner
      reads the first screen (:meth:`work_ahead`), so that a jump to a file or to a part of it not
      seen yet finds its lines drawn (a new line costs 0.1-0.2 ms, and a jump brings dozens).
    """

    _centring = False  # inside watch_position, moving the cursor to a new file's line
    _cursor_left_behind = False  # a step moved the painted line without the cursor (and nothing has moved it since)
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
        self._styles_cache = MemoStylesCache(4096)  # room for every line of the files drawn ahead
        self._plain: dict[str, dict[int, Strip]] = {}  # filename -> line index -> the line drawn unmarked
        self._painted: LRUCache[tuple, Strip] = LRUCache(64)  # (filename, line index, paint) -> the line drawn
        self._plain_context: tuple | None = None  # what those lines were drawn for (theme, width)

    # -- following the replay ----------------------------------------------------------------------

    def watch_position(self, position: Position) -> None:
        trace, cursor = self.trace, self.cursor
        if trace is None or cursor is None or position.frame < 0:
            return
        filename = trace.code(position.frame).filename
        line = cursor.viewed_line()
        if filename == self.filename and not self.has_focus and self.size:
            self._follow_in_file(line)
            return
        if self.cursor_location[0] != self.current_line - 1:
            # The learner moved the TextArea's cursor off the painted line: its cached render would
            # keep the paint. (Otherwise moving the cursor with the line re-renders both lines.)
            self._line_cache.clear()
            self.refresh()
        new_file = filename != self.filename
        target = (max(line - 1, 0), 0)
        placed = False
        # A new document is repainted whole and its line centred: once, not first where the cursor
        # move alone would scroll it, then centred.
        self._centring = new_file and bool(self.size)
        try:
            if new_file:
                self.filename = filename
                placed = self._show_file(filename, target)
                self._mark_breakpoints()
                self.border_title = filename
            self.current_line = line
            self._set_subtitle(f"line {line}")
            if not placed:
                self.move_cursor(target)
        finally:
            self._centring = False
        if new_file:
            if self.size:
                self._centre_line()
            # once more after the next refresh if the pane's size changed meanwhile (scrollbars came or
            # went; the first time, the size is only known then)
            self.call_after_refresh(self._centre_if_resized, self.size)

    def _follow_in_file(self, line: int) -> None:
        """Paint ``line`` instead of the current line and keep it in view, TextArea's cursor left alone."""
        self._cursor_left_behind = True
        old, self.current_line = self.current_line, line
        self._set_subtitle(f"line {line}")
        if self._drawn_by_textarea(old - 1) or self._drawn_by_textarea(line - 1):
            self._line_cache.clear()  # TextArea draws the cursor's line, the paint with it, from this cache
        offset = self._offset_of(line)
        top = self.scroll_offset.y
        if top <= offset < top + self.scrollable_content_region.height:
            for number in {old, line}:
                if number > 0:
                    self.refresh_line(self._offset_of(number))
        else:
            self._scroll_to_row(offset)  # where TextArea's cursor move to the line would scroll to
            self.refresh()  # the painted lines, also when the pane could not scroll further

    def on_focus(self) -> None:
        """The cursor joins the painted line (it stays put while the replay moves without focus here):
        ``b`` and the arrow keys start from the line being run. A click then moves it where it fell."""
        if self._cursor_left_behind and self.current_line:
            self._line_cache.clear()
            self.move_cursor((self.current_line - 1, 0))

    def _centre_if_resized(self, size: Size) -> None:
        if self.size != size:
            self._centre_line()

    def _centre_line(self) -> None:
        """The painted line in the middle of the pane, as TextArea's ``scroll_cursor_visible(center=True)``
        puts its cursor there, but at once rather than after the next refresh: a step made before that
        refresh finds the pane where it will be (see :meth:`_follow_in_file`)."""
        self._scroll_to_row(self._offset_of(self.current_line), center=True)

    def _scroll_to_row(self, offset: int, center: bool = False) -> None:
        """Row ``offset`` (column 0) into view now, as TextArea scrolls to its cursor (clear of the gutter)."""
        self.scroll_to_region(Region(0, offset, 1, 1), spacing=Spacing(right=self.gutter_width), animate=False,
                              immediate=True, force=True, center=center)

    def _offset_of(self, line: int) -> int:
        """The pane's row (scrolling aside) of 1-based ``line``, a line past the end of the text (a trace
        whose source is shorter than its events say) being the last one, as the cursor is kept there."""
        index = min(max(line - 1, 0), self.document.line_count - 1)
        return self.wrapped_document.location_to_offset((index, 0)).y

    def scroll_cursor_visible(self, center: bool = False, animate: bool = False) -> Offset:
        if self._centring and not center:
            return self.scroll_offset  # the cursor moved to a new file's line: watch_position centres it
        return super().scroll_cursor_visible(center=center, animate=animate)

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
        self._plain.clear()
        self._painted.clear()
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
        self._highlight_query = self._prepared_query(language, document)
        self.document = document
        self.wrapped_document = FastWrappedDocument(document, tab_width=self.indent_width)
        self.navigator = DocumentNavigator(self.wrapped_document)
        self._build_highlight_map()
        self.move_cursor((0, 0))
        self._rewrap_and_refresh_virtual_size()

    def _prepared_query(self, language: str, document: SyntaxAwareDocument):
        query = _PREPARED_QUERIES.get(language)
        if query is None:
            query = _PREPARED_QUERIES[language] = document.prepare_query(self._get_builtin_highlight_query(language))
        return query

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
        self._cursor_left_behind = False
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

    def on_text_area_selection_changed(self, event: TextArea.SelectionChanged) -> None:
        event.stop()  # the replay moves this cursor on every step, and nothing above listens

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

    # -- drawing ahead -----------------------------------------------------------------------------

    def work_ahead(self) -> Iterator[None]:
        """Parse every file of the trace and draw each of its lines once, finished with the pane's
        border, busiest files first: one unit of work a step, for the app to run while it is idle."""
        trace = self.trace
        assert trace is not None
        calls = Counter(trace.code(call).filename for call in trace.calls)
        files = sorted(trace.files, key=lambda name: -calls[name])
        for filename in files:
            if filename not in self._documents:
                state = self._parsed_state(filename)
                if state is not None:
                    self._documents[filename] = state
                yield
        for filename in files:
            state = self._documents.get(filename)
            if state is None:
                continue
            document, highlights = state[0], state[3]
            for start in range(0, document.line_count, AHEAD_LINES):
                context = self._drawing_context()
                if context is None:
                    return  # not drawn yet, or no theme: nothing to draw for
                stop = min(start + AHEAD_LINES, document.line_count)
                self._styles_cache.prime(
                    [self._plain_line(filename, document, highlights, index, context) for index in range(start, stop)],
                    compositor_cuts(self),
                )
                yield

    def _parsed_state(self, filename: str) -> tuple | None:
        """What :meth:`_show_file` keeps for a file, built without showing it (None: leave it to
        ``load_text``, e.g. for a language tree-sitter does not have)."""
        assert self.trace is not None
        language = self.language
        document_language = get_language(language) if TREE_SITTER and language else None
        if document_language is None or language in self._languages:
            return None
        text = self.trace.files.get(filename) or f"# the trace holds no source for {filename}\n"
        try:
            document = ParsedDocument(text, document_language)
        except SyntaxAwareDocumentError:
            return None
        query = self._prepared_query(language, document)
        wrapped = FastWrappedDocument(document, tab_width=self.indent_width)
        wrapped.wrap(self.wrap_width, tab_width=self.indent_width)
        highlights: defaultdict = defaultdict(list)
        lines: LRUCache = LRUCache(1024)
        # TextArea's own highlight map, built for this document (nothing else runs meanwhile)
        shown = (self.document, self._highlights, self._highlight_query, self._line_cache)
        self.document, self._highlights, self._highlight_query, self._line_cache = document, highlights, query, lines
        try:
            self._build_highlight_map()
        finally:
            self.document, self._highlights, self._highlight_query, self._line_cache = shown
        return (document, wrapped, DocumentNavigator(wrapped), highlights, query, lines)

    # -- drawing lines -----------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        """TextArea's for the cursor's line, a selection's and a matching bracket's; any other line is
        drawn here as TextArea draws it: unpainted from the lines drawn ahead, the line being run and
        breakpoints' lines painted and kept (TextArea reads a score of its settings to find a line in
        its cache, for every line of every render)."""
        drawn = self._line_drawn_here(y)
        return drawn if drawn is not None else super().render_line(y)

    def _line_drawn_here(self, y: int) -> Strip | None:
        """Line ``y`` of the pane, or None when TextArea must draw it: the cursor or a selection is on
        it, or it is not a whole line of text (scrolled sideways, wrapped, below the text, no theme)."""
        context = self.per_render()
        if context is None:
            return None
        drawing, scroll_x, scroll_y, wrapped = context
        offset = y + scroll_y
        if scroll_x or wrapped is None or offset >= len(wrapped._offset_to_line_info):
            return None
        line_index, section = wrapped._offset_to_line_info[offset]
        if section or self._drawn_by_textarea(line_index):
            return None
        number = line_index + 1
        paint = CURRENT_LINE if number == self.current_line else BREAKPOINT_LINE if number in self._marked else None
        if paint is None:
            return self._plain_line(self.filename, self.document, self._highlights, line_index, drawing)
        key = (self.filename, line_index, paint, drawing)
        strip = self._painted.get(key)
        if strip is None:
            strip = self._painted[key] = self._draw_plain_line(self.document, self._highlights, line_index, paint)
        return strip

    def _drawn_by_textarea(self, line_index: int) -> bool:
        start, end = self.selection
        if min(start[0], end[0]) <= line_index <= max(start[0], end[0]):  # the cursor's line, or selected
            return True
        bracket = self._matching_bracket_location
        return bracket is not None and bracket[0] == line_index

    def read_per_render(self) -> tuple | None:
        drawing = self._drawing_context()
        if drawing is None:
            return None
        scroll_x, scroll_y = self.scroll_offset
        return drawing, scroll_x, scroll_y, None if self.soft_wrap else self.wrapped_document

    def _drawing_context(self) -> tuple | None:
        """What an unmarked line's drawing depends on besides its document (None: draw as TextArea does)."""
        theme = self._theme
        if theme is None or theme.base_style is None or theme.gutter_style is None or not self.show_line_numbers:
            return None
        return (id(theme), theme.base_style, theme.gutter_style, self.region.size.width, self.indent_width,
                self.line_number_start, id(self.app.console))

    def _plain_line(self, filename: str, document: Document, highlights: dict, line_index: int,
                    context: tuple) -> Strip:
        if context != self._plain_context:
            self._plain.clear()
            self._plain_context = context
        lines = self._plain.get(filename)
        if lines is None:
            lines = self._plain[filename] = {}
        strip = lines.get(line_index)
        if strip is None:
            strip = lines[line_index] = self._draw_plain_line(document, highlights, line_index)
        return strip

    def _draw_plain_line(self, document: Document, highlights: dict, line_index: int,
                         paint: Style | None = None) -> Strip:
        theme = self._theme
        assert theme is not None
        return draw_plain_line(document, highlights, line_index, theme, indent_width=self.indent_width,
                               first_number=self.line_number_start, width=self.region.size.width,
                               console=self.app.console, mark=paint)
