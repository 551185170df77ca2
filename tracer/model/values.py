"""Turn live Python objects into small, safe, JSON-ready descriptions.

A trace must never hold a live object (it would show its end-of-request state,
and could not be saved), never run away on a huge or self-referencing value,
and never keep a secret. :class:`ValueTable` does all three: every value becomes
an interned row ``[type, summary, children, more]`` whose children point at
other rows, bounded in length, depth and breadth, with secrets replaced by a
visible label (what counts as a secret, and how it is scrubbed, is :mod:`tracer.model.redaction`).
"""

from __future__ import annotations

import re
import reprlib
from collections.abc import Mapping
from types import TracebackType

from tracer.model.describers import UNREADY, children_of, describer_for
from tracer.model.redaction import (
    FRAGMENT,
    MIN_SECRET_LEN,
    REDACTED,
    escaped_forms,
    identity_tokens,
    is_secret_name,
    looks_like_token,
    redaction_label,
    remember_identity_token,
    scrub_text,
    secret_strings,
)
from tracer.model.signatures import IMMUTABLE_TYPES, Opaque, same_children

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")

# Types whose builtin repr is short and safe: no need for reprlib's bounded (and slower) repr.
_PLAIN_REPR = frozenset((int, float, bool, type(None)))


def _count_of(type_name: str, count: int) -> str:
    """A container's summary: ``list of 3 items``, ``dict of 1 item``."""
    return f"{type_name} of {count} item" if count == 1 else f"{type_name} of {count} items"

class Limits:
    """How much of a value a trace keeps: every key and item the demo requests' code reads, with a hard cap.

    A server row has 36 keys and a page of servers holds up to ``osapi_max_limit`` of them; a response
    body nests five levels (``servers`` → a server → ``flavor`` → ``links`` → a link). Past the caps a
    container says how many children were left out (its ``more``).
    """

    __slots__ = ("text", "depth", "items", "nodes", "object_depth")

    def __init__(self, text: int = 240, depth: int = 6, items: int = 128, nodes: int = 1500,
                 object_depth: int = 1) -> None:
        self.text = text
        self.depth = depth
        self.items = items
        #: children described per top-level value, all levels together (bounds the cost of huge values)
        self.nodes = nodes
        #: objects (not dicts, lists or tuples) this deep show their class only: a local's object shows its
        #: attributes (one level), an object inside a list or another object shows its class
        #: (a router's list of routes would be thousands of attributes)
        self.object_depth = object_depth


class ValueTable:
    """Interns value descriptions so that repeated values cost one row.

    Row layout (a list, to keep the trace file compact):
    ``[type_name, summary]`` for a leaf, ``[type_name, summary, [[key, row], ...], more]`` for
    a container, where ``more`` counts the children left out.
    """

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self.rows: list[list] = []
        self._index: dict[tuple, int] = {}
        # id(obj) -> (obj, row) for immutable objects; the object is held so its id stays unique.
        self._immutable: dict[int, tuple[object, int]] = {}
        # id(obj) -> (obj, depth, signature, row, mutable children) for containers and objects.
        self._memo: dict[int, tuple] = {}
        self.secrets: set[str] = self._identity_secrets()
        self._repr = reprlib.Repr()
        self._repr.maxstring = self.limits.text
        self._repr.maxother = self.limits.text
        self._repr.maxlong = 60
        self._active: set[int] = set()
        self._nodes_left = self.limits.nodes
        # id(obj) -> (obj, row) for top-level values while frozen (see ``freeze``)
        self._frozen: dict[int, tuple[object, int]] | None = None
        # (id(obj), depth) -> (obj, row) for the objects checked since ``next_moment``
        self._moment: dict[tuple[int, int], tuple[object, int]] = {}
        # (exception, traceback) while ``encode_raised`` describes an exception with the traceback it was handed
        self._raised: tuple[BaseException, TracebackType] | None = None

    def next_moment(self) -> None:
        """Code ran since the last check: an object must be checked for changes again (once per moment)."""
        if self._moment:
            self._moment = {}

    def freeze(self) -> None:
        """Promise that no value changes until ``thaw``: each object is then described once, however often seen.

        The recorder describes the arguments and return values it held by reference after the response,
        when nothing runs any more; re-checking a memoized object's children each time would be wasted.
        """
        self._frozen = {}

    def thaw(self) -> None:
        self._frozen = None

    def let_go(self) -> None:
        """Start empty again once the rows were taken: the caches hold live objects (an exception among them
        holds its traceback and frames), and whoever took ``rows`` has them."""
        self.rows = []
        self._index = {}
        self._immutable = {}
        self._memo = {}
        self._active = set()
        self._frozen = None
        self._moment = {}
        self.secrets = self._identity_secrets()

    # -- interning -----------------------------------------------------------------------------

    def _intern(self, row: tuple) -> int:
        found = self._index.get(row)
        if found is not None:
            return found
        rid = len(self.rows)
        self._index[row] = rid
        if len(row) == 2:
            self.rows.append([row[0], row[1]])
        else:
            self.rows.append([row[0], row[1], [list(pair) for pair in row[2]], row[3]])
        return rid

    @staticmethod
    def _identity_secrets() -> set[str]:
        """Tokens taken as identities by earlier requests (see ``remember_identity_token``): they are in the
        database now, and scrubbed from every value this table describes."""
        return {form for token in identity_tokens() for form in escaped_forms(token)}

    def secret(self, name: str, value: object = None) -> int:
        """The row for a redacted value; remembers every string inside it so it can be scrubbed elsewhere
        (``changePassword`` is secret as a whole, and so is the ``adminPass`` within).

        A keystone UUID token in ``X-Auth-Token`` is also remembered for later requests: noauth2 takes it as
        the user and the project, so it is written into the rows this request creates.
        """
        if looks_like_token(value) and name.lower().replace("_", "-").endswith("auth-token"):
            remember_identity_token(value)  # type: ignore[arg-type]
        for text in secret_strings(value, name):
            if len(text) >= MIN_SECRET_LEN:
                self.secrets.update(escaped_forms(text))
        return self._intern((REDACTED, redaction_label(name)))

    # -- encoding ------------------------------------------------------------------------------

    def encode(self, value: object, name: str | None = None, depth: int = 0) -> int:
        """Row id describing ``value``; ``name`` is the key or variable it was found under."""
        if name is not None and is_secret_name(name):
            return self.secret(name, value)
        if type(value) in IMMUTABLE_TYPES:
            cached = self._immutable.get(id(value))
            if cached is not None and cached[0] is value:
                return cached[1]
            rid = self._intern((type(value).__name__, self._short(value)))
            self._immutable[id(value)] = (value, rid)
            return rid
        if type(value) is Opaque:
            inner = value.obj
            return self._intern((type(inner).__name__, self._short(inner)))
        if depth >= self.limits.depth or (depth and self._nodes_left <= 0):
            return self._intern(_outline(value))
        if depth == 0:
            frozen = self._frozen
            if frozen is not None:
                known = frozen.get(id(value))
                if known is not None and known[0] is value:
                    return known[1]
                rid = self._encode_top(value)
                frozen[id(value)] = (value, rid)
                return rid
            return self._encode_top(value)
        return self._encode_nested(value, depth)

    def encode_raised(self, exc: BaseException, traceback: TracebackType | None) -> int:
        """Row id describing an exception as it is raised in (or passes through) a frame.

        A trace function's ``exception`` event is handed ``(type, exception, traceback)``. On Python 3.11 the
        exception does not hold that traceback yet (``exc.__traceback__`` is still None, or the traceback of an
        earlier raise): "raised in" is read from the traceback the event was handed, which is what Python
        stores on the exception a moment later and what pdb's ``where`` shows at that stop.
        """
        if traceback is None or not isinstance(exc, BaseException) or exc.__traceback__ is traceback:
            return self.encode(exc)
        self._raised = (exc, traceback)
        try:
            return self.encode(exc)
        finally:
            self._raised = None

    def _encode_top(self, value: object) -> int:
        self._nodes_left = self.limits.nodes
        return self._encode_nested(value, 0)

    def _encode_nested(self, value: object, depth: int) -> int:
        marker = id(value)
        if marker in self._active:
            return self._intern((type(value).__name__, "<recursive reference>"))
        self._active.add(marker)
        try:
            return self._encode_object(value, depth)
        except Exception as exc:  # a value's own code failed: say so instead of failing the request
            return self._intern((type(value).__name__, f"<unrepresentable: {type(exc).__name__}>"))
        finally:
            self._active.discard(marker)

    def _short(self, value: object) -> str:
        kind = type(value)
        if kind in _PLAIN_REPR or (kind is str and len(value) <= self.limits.text):
            return repr(value)
        try:
            text = self._repr.repr(value)
        except Exception as exc:
            text = f"<repr failed: {type(exc).__name__}>"
        if " at 0x" in text:  # memory addresses differ on every run and mean nothing to a learner
            text = _ADDRESS.sub("", text)
        if len(text) > self.limits.text:
            text = text[: self.limits.text - 3] + "..."
        return text

    def _encode_object(self, value: object, depth: int) -> int:
        if self._frozen is not None:
            # nothing changes while frozen: a row made for this object stands, and one made at a shallower
            # depth serves deeper places too (it shows no less than they need), so the view builder's small
            # dicts are described once when returned, not again inside every dict that later holds them
            memo = self._memo.get(id(value))
            if memo is not None and memo[0] is value and memo[1] <= depth:
                return memo[3]
        kind = type(value)
        type_name = kind.__name__
        if isinstance(value, BaseException):
            return self._exception(value, depth)
        describe = describer_for(value)
        if describe is UNREADY:
            return self._intern((type_name, f"<{type_name}, not initialised yet>"))
        if describe is not None:
            return self._memoized(value, depth, children_of(value, describe), lambda: describe(value), type_name)
        if kind is dict or kind is list or kind is tuple:
            if kind is dict:
                signature, pairs_of = tuple(value.items()), value.items  # type: ignore[attr-defined]
            else:
                signature = tuple(value)  # type: ignore[arg-type]
                pairs_of = lambda: ((str(i), item) for i, item in enumerate(signature))  # noqa: E731
            summary = _count_of(type_name, len(signature))
            return self._memoized(value, depth, signature, lambda: (summary, pairs_of()), type_name, len(signature))
        if isinstance(value, Mapping):
            summary = _count_of(type_name, len(value))
            return self._container(type_name, summary, value.items(), depth)
        if isinstance(value, (list, tuple, set, frozenset)):
            items = value if not isinstance(value, (set, frozenset)) else sorted(value, key=repr)
            summary = _count_of(type_name, len(value))
            pairs = ((str(i), item) for i, item in enumerate(items))
            return self._container(type_name, summary, pairs, depth, len(value))
        attrs = getattr(value, "__dict__", None)
        if depth >= self.limits.object_depth and isinstance(attrs, dict):
            return self._intern(_outline(value))  # an object inside objects: its class, not its whole graph
        if isinstance(attrs, dict) and attrs and not isinstance(value, type):

            def describe_attrs() -> tuple[str, object]:
                pairs = ((k, v) for k, v in attrs.items() if not k.startswith("__") and not callable(v))
                return self._short(value), pairs

            # an object shows its attributes one level deep (a dict in one as "dict of 3 items"), however deep
            # the object sits: an object's graph (a router's every route) would cost every event that holds it
            return self._memoized(value, max(depth, self.limits.depth - 1), tuple(attrs.items()), describe_attrs,
                                  type_name)
        return self._intern((type_name, self._short(value)))

    def _exception(self, exc: BaseException, depth: int) -> int:
        """An exception by its type and message, with where it was raised and its own public attributes.

        A webob HTTP error is also a response: described as one, it would show headers, not why it happened.
        """
        type_name = type(exc).__name__
        try:
            message = str(exc)
        except Exception as failure:  # its own __str__ failed: say so, with the type
            message = f"<str() failed: {type(failure).__name__}>"
        explanation = getattr(exc, "explanation", None) if type(exc).__module__.startswith("webob") else None
        if isinstance(explanation, str) and explanation and explanation not in message:
            message = f"{message}: {explanation}" if message else explanation
        summary = self._short(exc)  # Python's own form, InstanceNotFound('...'), when it says the message
        if message not in summary:
            summary = f"{type_name}({message!r})"
        if len(summary) > self.limits.text:
            summary = summary[: self.limits.text - 3] + "..."
        pairs: list[tuple[str, object]] = [("type", f"{type(exc).__module__}.{type(exc).__qualname__}"),
                                           ("message", message)]
        raised = self._raised
        tb = raised[1] if raised is not None and raised[0] is exc else exc.__traceback__
        if tb is not None:
            while tb.tb_next is not None:
                tb = tb.tb_next
            code = tb.tb_frame.f_code
            module = tb.tb_frame.f_globals.get("__name__", "?")
            pairs.append(("raised in", f"{module}.{getattr(code, 'co_qualname', code.co_name)}, line {tb.tb_lineno}"))
        attrs = getattr(exc, "__dict__", None)
        if type(attrs) is dict:
            pairs += [(k, v) for k, v in attrs.items() if not k.startswith("_") and not callable(v) and k != "message"]
        return self._container(type_name, summary, pairs, depth)

    def _memoized(self, value: object, depth: int, signature: tuple, describe, type_name: str, size=None) -> int:
        """Reuse the row made for this very object when nothing in it changed since.

        ``signature`` holds the object's direct children (by reference): the very same objects (never ``==``:
        ``0 == False``, and a flag turned into a bool is a change) mean no child was replaced, and children
        that are themselves mutable are re-checked the same way, so an
        in-place change anywhere within the recorded depth is still seen.
        """
        moment = self._moment.get((id(value), depth))
        if moment is not None and moment[0] is value:
            return moment[1]  # checked already at this moment (another frame holds it too)
        memo = self._memo.get(id(value))
        if memo is not None and memo[0] is value and memo[1] == depth and same_children(memo[2], signature):
            for child, key, child_rid in memo[4]:
                if self.encode(child, key, depth + 1) != child_rid:
                    break
            else:
                self._moment[(id(value), depth)] = (value, memo[3])
                return memo[3]
        summary, pairs = describe()
        mutable: list[tuple[object, str, int]] = []
        rid = self._container(type_name, summary, pairs, depth, size, mutable)
        self._memo[id(value)] = (value, depth, signature, rid, mutable)
        self._moment[(id(value), depth)] = (value, rid)
        return rid

    def _container(self, type_name: str, summary: str, pairs, depth: int, size=None, mutable=None) -> int:
        if depth >= self.limits.depth:
            return self._intern((type_name, summary))
        children: list[tuple[str, int]] = []
        more = 0
        for count, (key, item) in enumerate(pairs):
            if count >= self.limits.items or self._nodes_left <= 0:
                more += 1
                continue
            self._nodes_left -= 1
            key_text = key if isinstance(key, str) else self._short(key)
            child_rid = self.encode(item, key_text, depth + 1)
            children.append((key_text, child_rid))
            if mutable is not None and type(item) not in IMMUTABLE_TYPES:
                mutable.append((item, key_text, child_rid))
        if size is not None:
            more = max(more, size - len(children))
        return self._intern((type_name, summary, tuple(children), more))

    # -- after the request ---------------------------------------------------------------------

    def scrub(self, text: str) -> str:
        """Replace every known secret value inside ``text`` with its label.

        A long secret inside a longer value is often cut by the repr (``head...tail``): whatever part of
        it starts with its first or ends with its last ``FRAGMENT`` characters goes too.
        """
        return scrub_text(text, *self._scrub_order())

    def scrub_rows(self) -> None:
        """Second pass: a secret seen under one name must not survive under another."""
        if not self.secrets:
            return
        ordered, long = self._scrub_order()
        for row in self.rows:
            if row[0] != REDACTED and isinstance(row[1], str):
                row[1] = scrub_text(row[1], ordered, long)
            if len(row) > 2:
                for pair in row[2]:
                    pair[0] = scrub_text(pair[0], ordered, long)

    def _scrub_order(self) -> tuple[list[str], list[str]]:
        """The secrets longest first (an escaped form before the plain one), and those long enough to cut."""
        ordered = sorted(self.secrets, key=len, reverse=True)
        return ordered, [secret for secret in ordered if len(secret) >= 2 * FRAGMENT]


def _outline(value: object) -> tuple[str, str]:
    """A one-line row for a value too deep (or past the budget) to describe: cheap, never a full repr."""
    kind = type(value)
    name = kind.__name__
    if isinstance(value, (dict, list, tuple, set, frozenset)):
        return name, _count_of(name, len(value))
    if kind in _PLAIN_REPR:
        return name, repr(value)
    if kind is str or kind is bytes:
        text = repr(value)
        return name, text if len(text) <= 60 else text[:57] + "..."
    return name, f"<{name}>"
