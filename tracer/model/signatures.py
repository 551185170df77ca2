"""Has a value changed since it was last described? Cheap fingerprints of values, by reference.

Describing a value is what recording costs, so a value is described again only when it may have changed:
its direct children (``shallow_signature``, compared by identity with ``same_children``) or, for the locals
of frames waiting on a call, everything reachable within the value limits (``deep_signature``).
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tracer.model.values import Limits

# Types whose instances never change, so an encoding can be reused while the object lives (a database row's
# timestamps among them: described once, however many dicts and calls they pass through).
IMMUTABLE_TYPES = frozenset((
    int, float, bool, complex, type(None), bytes, str,
    datetime.datetime, datetime.date, datetime.time, datetime.timedelta, datetime.timezone,
    decimal.Decimal, uuid.UUID,
))


class Opaque:
    """Wraps an object that a describer wants shown as one line, without its children."""

    __slots__ = ("obj",)

    def __init__(self, obj: object) -> None:
        self.obj = obj


def shallow_signature(value: object) -> tuple | None:
    """A value's direct children (keys too), by reference, as the recorder compares them with ``same_children``.

    Between two line events of one frame a local that is still the same object is described again only
    when its signature changed. Immutable leaves have none: they cannot change.
    """
    kind = type(value)
    if kind in IMMUTABLE_TYPES or kind is tuple or kind is frozenset:
        return None
    if kind is dict:
        return (*value, *value.values())  # type: ignore[attr-defined]
    if kind is list or kind is set:
        return tuple(value)  # type: ignore[arg-type]
    attrs = getattr(value, "__dict__", None)
    if type(attrs) is not dict:
        return None
    environ = attrs.get("environ")  # a webob request keeps only its environ, and is described from it
    if type(environ) is dict:
        return (*attrs, *attrs.values(), *environ, *environ.values())
    return (*attrs, *attrs.values())


class Signature:
    """Every object a value's description is made of, by reference, in the order it is described.

    Two signatures are the same when they hold the very same objects (by identity: ``0`` is not ``False``)
    and the same container sizes: then nothing the trace would show of the value changed, and its row can be
    reused without describing it again. Holding the objects keeps their ids from being reused meanwhile.
    """

    __slots__ = ("objects", "ids", "sizes", "mutable", "opened", "measured", "states")

    def __init__(self, objects: list[object], sizes: list[int], opened: list[object] | None = None,
                 measured: list[object] | None = None) -> None:
        self.objects = objects
        #: the objects whose children the walk read, and those whose size only: while each of the first holds
        #: the very same children (its ``state_of``) and each of the others has the same size, a walk from the
        #: same value finds the very same objects and sizes again
        self.opened = objects if opened is None else opened
        self.measured = measured or []
        self.ids = tuple(map(id, objects))
        self.sizes = tuple(sizes)
        #: ids of the objects in it that can change (what two frames must share for one to change the other's)
        self.mutable = {id(o) for o in objects if type(o) not in IMMUTABLE_TYPES}
        #: (ids of each opened object's ``state_of``, size of each measured object) when it was made, once a
        #: recorder found it worth keeping (see ``Session._still_holds``); None until then
        self.states: tuple[tuple[tuple, ...], tuple[int, ...]] | None = None

    def same(self, other: Signature | None) -> bool:
        return other is not None and self.ids == other.ids and self.sizes == other.sizes


def deep_signature(value: object, limits: Limits) -> Signature | None:
    """The :class:`Signature` of ``value`` to the depth and breadth a trace describes (a little more: never
    less); None for an immutable leaf, which cannot change."""
    if type(value) in IMMUTABLE_TYPES:
        return None
    objects: list[object] = []
    sizes: list[int] = []
    opened: list[object] = []
    measured: list[object] = []
    budget = [limits.nodes * 2]
    _sign(value, 0, limits, objects, sizes, budget, opened, measured)
    return Signature(objects, sizes, opened, measured)


def _sign(value: object, depth: int, limits: Limits, objects: list, sizes: list, budget: list[int],
          opened: list, measured: list) -> None:
    objects.append(value)
    kind = type(value)
    if kind in IMMUTABLE_TYPES or kind is Opaque or depth >= limits.depth or budget[0] <= 0:
        if kind in _SIZED:
            sizes.append(len(value))  # type: ignore[arg-type]
            measured.append(value)
        return
    opened.append(value)  # from here on, what it holds is read
    if kind is dict and "wsgi.version" in value:  # type: ignore[operator]
        objects.extend(value.values())  # type: ignore[attr-defined]
        sizes.append(len(value))  # type: ignore[arg-type]
        return
    if kind is dict:
        pairs = value.items()  # type: ignore[attr-defined]
        sizes.append(len(value))  # type: ignore[arg-type]
    elif kind is list or kind is tuple:
        pairs = enumerate(value)  # type: ignore[arg-type]
        sizes.append(len(value))  # type: ignore[arg-type]
    elif isinstance(value, BaseException):
        attrs = getattr(value, "__dict__", None)
        objects.append(value.__traceback__)
        objects.extend(attrs.values() if type(attrs) is dict else ())
        return
    else:
        attrs = getattr(value, "__dict__", None)
        if type(attrs) is not dict:
            if isinstance(value, (Mapping, list, tuple, set, frozenset)):
                items = list(value.items()) if isinstance(value, Mapping) else list(value)
                objects.extend(item for pair in items for item in (pair if isinstance(value, Mapping) else (pair,)))
                sizes.append(len(items))
            return
        environ = attrs.get("environ")
        if type(environ) is dict:  # a webob request, described from its environ
            objects.extend(environ.values())
            sizes.append(len(environ))
        if depth >= limits.object_depth:
            return
        pairs = attrs.items()
        sizes.append(len(attrs))
        depth = max(depth, limits.depth - 1)  # an object shows its attributes, one level
    for count, (key, child) in enumerate(pairs):
        if count >= limits.items or budget[0] <= 0:
            break
        budget[0] -= 1
        objects.append(key)
        if type(child) in IMMUTABLE_TYPES:
            objects.append(child)  # a leaf, the common case: no call
        else:
            _sign(child, depth + 1, limits, objects, sizes, budget, opened, measured)


_SIZED = (dict, list, tuple, set, frozenset)


def state_of(value: object) -> tuple:
    """Everything :func:`deep_signature` could read of ``value`` itself (its children, by reference), or more.

    Two states holding the very same objects mean a walk through ``value`` finds the same children there: a
    signature whose every object has the same state as when it was made is the same signature. The branches
    follow ``_sign``'s, so an object read through its attributes there is read through them here.
    """
    kind = type(value)
    if kind in IMMUTABLE_TYPES or kind is Opaque:
        return ()
    if kind is dict:
        return (*value, *value.values())  # type: ignore[attr-defined]
    if kind is list or kind is tuple:
        return tuple(value)  # type: ignore[arg-type]
    attrs = getattr(value, "__dict__", None)
    if isinstance(value, BaseException):
        return (value.__traceback__, *(attrs.values() if type(attrs) is dict else ()))
    if type(attrs) is dict:
        environ = attrs.get("environ")
        if type(environ) is dict:
            return (*attrs, *attrs.values(), *environ.values())
        return (*attrs, *attrs.values())
    if isinstance(value, (Mapping, list, tuple, set, frozenset)):
        if isinstance(value, Mapping):
            pairs = list(value.items())  # type: ignore[attr-defined]
            return (*(key for key, _ in pairs), *(child for _, child in pairs))
        return tuple(value)  # type: ignore[arg-type]
    return ()


def same_children(old: tuple | None, new: tuple | None) -> bool:
    """Whether two ``shallow_signature``s hold the very same objects (identity, never ``==``)."""
    if old is None or new is None:
        return old is new
    if len(old) != len(new):
        return False
    for before, now in zip(old, new):  # noqa: B905 - lengths are equal
        if before is not now:
            return False
    return True
