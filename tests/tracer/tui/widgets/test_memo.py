"""The memo styles cache finishes lines as Textual does, and follows changes to what they depend on."""

from __future__ import annotations

from pathlib import Path

from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.filter import LineFilter

from tracer.model.trace import load
from tracer.tui.app import TraceApp
from tracer.tui.widgets import StackView

DATA = Path(__file__).resolve().parents[3] / "data"


class Underlined(LineFilter):
    """A line filter that changes every segment: each one's style gains an underline."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [Segment(text, (style or Style()) + Style(underline=True), control) for text, style, control in segments]


async def test_a_content_line_finished_in_its_pane_s_frame_is_what_textual_finishes(monkeypatch):
    """Every new content line of every pane, through steps, focus changes and a theme change, gets the
    very border and padding Textual's ``StylesCache.render_line`` gives it, through the same line filters;
    every border row kept from an earlier render, or relabelled from one, is the one Textual draws now."""
    from textual._styles_cache import StylesCache

    from tracer.tui.widgets.memo import MemoStylesCache

    compared = []
    filtered = []
    finish = MemoStylesCache._finish
    edge = MemoStylesCache._edge
    edges_kept = []

    def checked(self, context, arguments, rest, content, filters_and_background):
        ours = finish(self, context, arguments, rest, content, filters_and_background)
        theirs = StylesCache.render_line(self, *arguments, lambda _y: content, *rest)
        filters, background = filters_and_background
        for line_filter in filters:
            theirs = theirs.apply_filter(line_filter, background)
        assert list(ours) == list(theirs)
        filtered.append(bool(filters))
        compared.append(self._frames.get(context) is not None)
        return ours

    def checked_edge(self, widget, y, arguments, rest, render_content_line):
        kept = len(self._edges)
        ours = edge(self, widget, y, arguments, rest, render_content_line)
        styles, size, content_size, padding, base_background, background = arguments
        theirs = StylesCache.render_line(
            self, styles, y, size, content_size, padding, base_background, background, render_content_line,
            None if widget.border_title is None else (widget._border_title,
                                                     *widget._get_title_style_information(base_background)),
            None if widget.border_subtitle is None else (widget._border_subtitle,
                                                        *widget._get_subtitle_style_information(base_background)),
            *rest)
        for line_filter in widget.get_line_filters():
            theirs = theirs.apply_filter(line_filter, background)
        assert list(ours) == list(theirs)
        edges_kept.append(len(self._edges) == kept)
        return ours

    relabel = MemoStylesCache._relabelled
    relabelled = []

    def counted_relabel(self, labelled, new_text):
        strip = relabel(self, labelled, new_text)
        relabelled.append(strip is not None)
        return strip

    monkeypatch.setattr(MemoStylesCache, "_finish", checked)
    monkeypatch.setattr(MemoStylesCache, "_edge", checked_edge)
    monkeypatch.setattr(MemoStylesCache, "_relabelled", counted_relabel)
    app = TraceApp(load(DATA / "servers_detail.json"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for key in ["s", "s", "n", "right_square_bracket", "r", "tab", "s", "tab", "down", "c", "end", "home",
                    "tab", "tab", "S"]:
            await pilot.press(key)
            await pilot.pause()
        app.theme = "textual-light"
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        app._filters.append(Underlined())  # a filter that changes every cell, the border's too
        app.screen.refresh(repaint=True)
        for pane in app.query("#main *"):
            pane.refresh()
        for key in ["s", "r", "S"]:
            await pilot.press(key)
            await pilot.pause()
    assert sum(compared) > 100  # most went through the frame, not Textual
    assert sum(filtered) > 100  # and through the app's line filters (the ANSI colours' at least)
    assert sum(edges_kept) > 10  # and border rows drawn before were handed back
    assert sum(relabelled) > 5  # or made from one with a label as long ("line 41" for "line 42")


async def test_a_pane_s_kept_backgrounds_follow_a_change_up_the_dom():
    """A translucent pane over a container whose background changes: the pane's next render uses the
    colours Textual works out now, not those it kept."""
    app = TraceApp(load(DATA / "servers_detail.json"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        stack = app.query_one(StackView)
        stack.styles.background = "red 50%"
        await pilot.pause()
        before = stack._styles_cache._backgrounds[1]
        app.query_one("#center").styles.background = "blue"  # an ancestor: the pane's own styles stay
        stack.refresh()
        await pilot.pause()
        after = stack._styles_cache._backgrounds[1]
        assert after == (*stack.background_colors, stack.opacity)
        assert after != before


async def test_a_pane_drawn_whole_is_drawn_again_when_a_style_up_the_dom_changes():
    """The note's whole-pane lines, kept by function, follow a change of its container's colours: what
    it hands back then is what it draws with every cache forgotten."""
    from tracer.tui.widgets import HopNote

    app = TraceApp(load(DATA / "servers_detail.json"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        note = app.query_one(HopNote)
        before = note.render_lines(note.outer_size.region)
        app.query_one("#left").styles.background = "red 50%"
        app.query_one("#left").styles.color = "green"
        note.refresh()
        await pilot.pause()
        after = note.render_lines(note.outer_size.region)
        note._drawn.clear()
        note._styles_cache._drawn.clear()
        note._set_dirty()
        assert after == note.render_lines(note.outer_size.region)
        assert after != before
