"""``tracer lesson tui N``: the replay with the lesson beside it and predict-then-step pauses.

:class:`LessonApp` is the replay app (:class:`tracer.tui.app.TraceApp`) plus a side panel
holding the lesson's questions. Moving forward onto (or past) the hop a *predict* question
pauses at stops the replay there, every pane on that event, and asks the question before the
learner can see the answer: the hop tree holds only the hops that have run, and the header
keeps the status (and the response, ``o``) back until the replay reaches it;
the answer is graded against the trace and recorded in the progress file. A wrong answer may be
tried once more; after the second wrong try (or an empty answer, which asks for it) the answer
is shown and the replay carries on. Fact questions are asked with ``a``.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.geometry import Size
from textual.screen import ModalScreen
from textual.widgets import Input, Static

import tracer.tui.app as tui_app
from tracer.course import grading
from tracer.course.model import Lesson, LessonError
from tracer.course.progress import Progress
from tracer.course.quiz import Asked, ask_all
from tracer.model.trace import KIND_NAMES, Trace
from tracer.replay.cursor import Position
from tracer.tui.widgets.hops import HopList


class QuestionScreen(ModalScreen[str]):
    """One question over the replay; dismissed with what the learner typed (empty: skipped)."""

    DEFAULT_CSS = """
    QuestionScreen { align: center middle; }
    #question-box {
        width: 80%; max-width: 100; height: auto; border: thick $accent; background: $panel; padding: 1 2;
    }
    #question-box Input { margin-top: 1; }
    """
    BINDINGS = [Binding("escape", "skip", "skip")]

    def __init__(self, asked: Asked, retry: bool = False) -> None:
        super().__init__()
        self.asked = asked
        self.retry = retry

    def compose(self) -> ComposeResult:
        q = self.asked.question
        lines = []
        if q.kind == "predict":
            lines.append(f"[b]Predict[/b] (the replay is paused where {q.pause} is called)")
        lines.append(q.prompt)
        lines += [f"  {grading.letter(i)}) {choice}" for i, choice in enumerate(q.choices)]
        if self.retry:
            lines.append("[b]Not quite.[/b] One more try.")
        placeholder = "your answer (a letter picks a choice; empty or Esc shows the answer)"
        with Vertical(id="question-box"):
            yield Static("\n".join(lines), markup=True)
            yield Input(placeholder=placeholder, id="answer")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip())

    def action_skip(self) -> None:
        self.dismiss("")


class LessonApp(tui_app.TraceApp):
    """The replay of one lesson request, with its questions in a side panel."""

    CSS_PATH = str(Path(tui_app.__file__).with_name("app.tcss"))
    CSS = """
    #lesson { dock: right; width: 38; border: round $accent 60%; padding: 0 1; }
    #lesson-header { dock: top; height: 1; background: $panel; }
    """
    BINDINGS = [Binding("a", "ask", "ask")]

    def __init__(self, trace: Trace, lesson: Lesson, asked: list[Asked], progress: Progress | None = None) -> None:
        super().__init__(trace)
        self.lesson = lesson
        self.asked = asked
        self.progress = progress
        self.results: dict[str, str] = {}
        self.tries: dict[str, int] = {}
        self.pending = sorted((a for a in asked if a.question.kind == "predict"), key=lambda a: a.pause_event)
        self.asking = False
        self.reached = 0  # the furthest event the learner has seen

    def compose(self) -> ComposeResult:
        yield Static(self._panel_text(), id="lesson")
        yield Static(id="lesson-header")
        yield from super().compose()

    def on_mount(self) -> None:
        super().on_mount()
        # The replay's own header would show the status from the first event on: a prediction about
        # the outcome would be read off the screen. This one shows it once the response is reached.
        self.query_one("#header").display = False
        self._reveal_hops()
        self._draw_header()

    def _panel_text(self) -> str:
        lines = [f"[b]Lesson {self.lesson.number}[/b]: {self.lesson.title}", ""]
        for n, a in enumerate(self.asked, 1):
            q = a.question
            state = self.results.get(q.id, "")
            where = f" (pauses at {q.pause})" if q.kind == "predict" else " (press a)"
            lines.append(f"{n}. {q.prompt}{'' if state else where}")
            if state:
                lines.append(f"   {state}")
            lines.append("")
        lines.append("s/n/r step, ] next hop, ? help, q quit")
        return "\n".join(lines)

    def _refresh_panel(self) -> None:
        self.query_one("#lesson", Static).update(self._panel_text())

    # -- predict means predict ---------------------------------------------------------------------

    def validate_position(self, new: Position) -> Position:
        """Every move forward (a step, a jump, a search, a chosen hop) stops at the next question's hop.

        The position is corrected before any pane sees it, so all of them show the paused event, and
        nothing of what comes after it has been on the screen when the question is asked.
        """
        old = self.position
        if self.asking or not self.pending or new.index <= old.index:
            return new
        nxt = self.pending[0]
        if new.index < nxt.pause_event:
            return new
        self.pending.pop(0)
        if new.index != nxt.pause_event:
            new = self.cursor.goto(nxt.pause_event)
        self.asking = True
        self.call_later(self._ask, nxt)
        return new

    def watch_position(self, old: Position, new: Position) -> None:
        """What has run is known: the hop tree grows to it, and the status shows once the response is made."""
        if new.index > self.reached:
            self.reached = new.index
            self._reveal_hops()
        self._draw_header()

    def _reveal_hops(self) -> None:
        """The hop tree's rows: the calls that have started by the furthest event reached, folds kept."""
        hops = self.query_one(HopList)
        trace, reached = self.trace, self.reached
        rows: list[int] = []
        skip_until = -1
        for call in trace.calls:
            if call > reached:
                break
            if call <= skip_until:
                continue
            rows.append(call)
            if call in hops.collapsed:
                skip_until = trace.end_of.get(call, len(trace) - 1)
        if rows != hops.rows:
            hops.rows[:] = rows
            hops.virtual_size = Size(0, len(rows))
            hops.refresh()

    def _draw_header(self) -> None:
        """The request line and who sent it; the status and time only once the replay reaches the response."""
        trace, index = self.trace, self.position.index
        request = trace.request
        who = f"{request.get('user_id') or '?'}:{request.get('project_id') or '?'}"
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f" {trace.request_line} ", style="bold")
        text.append(f" {who} ", style="italic")
        if self.reached >= len(trace) - 1:
            text.append(f" {trace.status} {trace.response.get('reason', '')} ".replace("  ", " "), style="bold")
        else:
            text.append(" status: not yet answered ", style="dim")
        if len(trace):
            text.append(f"│ event {index + 1}/{len(trace)} {KIND_NAMES[trace.kinds[index]]} ", style="dim")
            text.append(trace.code(index).qualname)
        self.query_one("#lesson-header", Static).update(text)

    def action_response(self) -> None:
        """The response is the end of the story: it is shown once the replay has reached it."""
        if self.reached < len(self.trace) - 1:
            self.notify("the response is shown once the replay reaches it (end)", timeout=4)
            return
        super().action_response()

    def action_ask(self) -> None:
        """Ask the next unanswered fact question (predict questions wait for their hop)."""
        for a in self.asked:
            if a.question.kind == "fact" and a.question.id not in self.results:
                self._ask(a)
                return
        self.notify("every question is answered", timeout=3)

    def _ask(self, asked: Asked, retry: bool = False) -> None:
        self.asking = True

        def answered(text: str | None) -> None:
            self.asking = False
            self.record(asked, text or "")

        self.push_screen(QuestionScreen(asked, retry), answered)

    def record(self, asked: Asked, text: str) -> None:
        """Grade and remember; a first wrong answer is asked again, the answer shown after that."""
        q = asked.question
        state = "open"
        if not text:
            if self.progress is not None:
                self.progress.revealed(self.lesson.slug, q.id)
            self.results[q.id] = f"shown: the trace says {asked.expected_text}"
        else:
            grade = asked.grade(text)
            tries = self.tries.get(q.id, 0) + (not grade.correct)
            self.tries[q.id] = tries
            if self.progress is not None:
                state = self.progress.answered(self.lesson.slug, q.id, grade.given, grade.correct)["result"]
            if grade.correct:
                self.results[q.id] = f"right: {grade.expected}"
            elif tries < 2 and state == "open":
                self._ask(asked, retry=True)
                return
            else:
                self.results[q.id] = f"not quite: the trace says {grade.expected}"
        self.notify(self.results[q.id] + (f"\n{q.explain}" if q.explain else ""), timeout=8)
        self._refresh_panel()


def build_app(lesson: Lesson, request: str | None = None, progress: Progress | None = None) -> LessonApp:
    """The app for one of the lesson's requests (by default the first one its questions use)."""
    asked = ask_all(lesson)
    if not asked:
        raise LessonError(f"lesson {lesson.number} has no questions to replay")
    name = request or asked[0].question.request
    mine = [a for a in asked if a.question.request == name]
    if not mine:
        names = ", ".join(dict.fromkeys(a.question.request for a in asked))
        raise LessonError(f"lesson {lesson.number} has no questions about a request {name!r} (try: {names})")
    return LessonApp(mine[0].trace, lesson, mine, progress)


def run_lesson_tui(lesson: Lesson, progress: Progress | None = None, request: str | None = None) -> int:
    """Run the lesson replay full-screen; returns the exit code."""
    result = build_app(lesson, request, progress).run()
    return int(result or 0)
