"""What the locals of each frame waiting on a call were made of, so that a step can tell which frames it changed.

A frame waiting on a call runs no code of its own. Between two events only one frame ran (the frame of the
event, or the caller of a call), so a waiting frame's locals can only have changed through an object that
running frame holds too: a key it added to a dict the caller passed down, an item it appended to a list.
:class:`FrameStates` keeps, for every object the description of a waiting frame's locals looked into, which
frames looked and what the object held then (its ``state_of``, by the ids of its children) or, for an
object only measured, its size. A step then looks only at the objects the running frame holds, once each,
and finds the waiting frames whose objects changed, however many frames wait (Nova's validation alone
keeps twenty decorator frames waiting, each holding the request and the schemas it checks it against).
"""

from __future__ import annotations

from types import CodeType, FrameType

from tracer.model.signatures import Signature, state_of

#: a frame's note: (its locals as noted, {id: (object, ids of its state)} for every object their
#: signatures looked into, {id: (object, size)} for those they only measured)
Note = tuple[dict, dict[int, tuple[object, tuple]], dict[int, tuple[object, int]]]


class FrameStates:
    """The objects each noted frame's locals are made of, indexed by object; see the module's docstring."""

    def __init__(self) -> None:
        #: id(object) -> ids of its state at this event (the object is held by a signature meanwhile)
        self._states: dict[int, tuple] = {}
        #: id(object) -> ids of its state when last looked at, at any event: an unchanged state is given as
        #: that very tuple, so the many frames that noted it tell it is unchanged by identity (an id reused
        #: by another object meanwhile only gives a tuple of the same ids, equal either way)
        self._last_states: dict[int, tuple] = {}
        self._notes: dict[FrameType, Note] = {}
        #: id(object) -> (the object, {frame: ids of its state when that frame noted it})
        self._opened_by: dict[int, tuple[object, dict[FrameType, tuple]]] = {}
        #: id(object) -> (the object, {frame: its size when that frame noted it})
        self._measured_by: dict[int, tuple[object, dict[FrameType, int]]] = {}

    def next_moment(self) -> None:
        """Code ran since the last event: every state is looked at again (once) when asked for."""
        if self._states:
            self._states = {}

    def state_ids(self, obj: object) -> tuple:
        """The ids of what ``obj`` holds now (its ``state_of``), looked at once an event."""
        ids = self._states.get(id(obj))
        if ids is None:
            ids = tuple(map(id, state_of(obj)))
            last = self._last_states.get(id(obj))
            if last is not None and last == ids:
                ids = last  # the very tuple noted before: the frames that noted it compare by identity
            else:
                self._last_states[id(obj)] = ids
            self._states[id(obj)] = ids
        return ids

    def note(self, frame: FrameType, known: dict[str, tuple[object, Signature | None, int]]) -> None:
        """Note the state of every object the signatures of ``known`` (the frame's locals as just described,
        name -> (value, signature, row)) looked into, and the size of every one they only measured."""
        self.forget(frame)
        opened: dict[int, tuple[object, tuple]] = {}
        measured: dict[int, tuple[object, int]] = {}
        for _value, signature, _rid in known.values():
            if signature is None:
                continue
            for obj in signature.opened:
                if id(obj) not in opened:
                    opened[id(obj)] = (obj, self.state_ids(obj))
            for obj in signature.measured:
                measured[id(obj)] = (obj, len(obj))  # type: ignore[arg-type]
        for by, found in ((self._opened_by, opened), (self._measured_by, measured)):
            for obj_id, (obj, noted) in found.items():  # noted: the ids of its state, or its size
                watchers = by.get(obj_id)
                if watchers is None:
                    by[obj_id] = (obj, {frame: noted})  # type: ignore[index]
                else:
                    watchers[1][frame] = noted
        self._notes[frame] = (known, opened, measured)

    def forget(self, frame: FrameType) -> None:
        """Let go of the frame's note (it returned, or is noted again)."""
        note = self._notes.pop(frame, None)
        if note is None:
            return
        for index, by in ((1, self._opened_by), (2, self._measured_by)):
            for obj_id in note[index]:
                watchers = by[obj_id][1]
                del watchers[frame]
                if not watchers:
                    del by[obj_id]

    def changed_by(self, live: set[int], active: FrameType | None) -> set[FrameType]:
        """The noted frames (``active`` aside) an object among ``live`` no longer holds as they noted it in."""
        changed: set[FrameType] = set()
        opened_by, measured_by = self._opened_by, self._measured_by
        for obj_id in live:
            watched = opened_by.get(obj_id)
            if watched is not None:
                watchers = watched[1]
                if len(watchers) > 1 or active not in watchers:
                    now = self.state_ids(watched[0])
                    for frame, ids in watchers.items():
                        if ids is not now and ids != now:
                            changed.add(frame)
            watched = measured_by.get(obj_id)
            if watched is not None:
                size = len(watched[0])  # type: ignore[arg-type]
                for frame, noted_size in watched[1].items():
                    if noted_size != size:
                        changed.add(frame)
        changed.discard(active)  # type: ignore[arg-type]
        return changed

    def noted_as(self, frame: FrameType, known: dict | None) -> bool:
        """True when the frame's note is of its locals as last described (``known``)."""
        note = self._notes.get(frame)
        return note is not None and known is not None and note[0] is known

    @staticmethod
    def rebound(frame: FrameType, known: dict) -> bool:
        """True when a name of the frame is bound to another object than when last described (``known``).

        A waiting frame runs no code of its own: only a closure that shares one of its cells can bind another
        object to one of its names meanwhile, so a frame without cells is not looked at.
        """
        if not rebinds_while_waiting(frame.f_code):
            return False
        now = frame.f_locals
        if len(now) != len(known):
            return True
        for name, value in now.items():
            seen = known.get(name)
            if seen is None or seen[0] is not value:
                return True
        return False

    def let_go(self) -> None:
        """Hold no object and no frame."""
        self._states = {}
        self._last_states = {}
        self._notes.clear()
        self._opened_by.clear()
        self._measured_by.clear()


#: code -> whether a function it calls can bind another object to one of its locals (a cell, ``nonlocal``)
_CELL_CODES: dict[CodeType, bool] = {}


def rebinds_while_waiting(code: CodeType) -> bool:
    """True when ``code`` has cells: a frame of it can see a local rebound while it waits on a call, and can
    itself rebind a local of another frame that shares the cell (a closure's ``nonlocal``)."""
    found = _CELL_CODES.get(code)
    if found is None:
        found = _CELL_CODES[code] = bool(code.co_cellvars or code.co_freevars)
    return found
