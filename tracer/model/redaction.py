"""Keep secrets out of traces and logs: find them by name, remember their values, scrub them everywhere.

A value is secret when the name it sits under says so (``adminPass``, ``X-Auth-Token``, ``?password=``, a
``changePassword`` action): the value is then shown as a visible label, and every string inside it is
remembered (by whoever collects them, a :class:`~tracer.model.values.ValueTable`) so that it can be scrubbed
wherever else it shows: in an error message that echoed it, in a local variable, in the response body.

Bodies and log lines are read as text, not parsed: a JSON body nested 10,000 levels deep, a body that is not
JSON at all, a Python repr in a log line and a query string are all scanned the same way, without recursion,
and everything that is not a secret stays byte for byte as it was.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Mapping
from typing import Protocol
from urllib.parse import quote, quote_plus, unquote_plus

#: Names (of dict keys, headers, attributes, arguments and locals) whose values are never recorded.
SECRET_NAME = re.compile(
    r"(?i)(auth[_-]?token|x[_-]auth[_-]token|x[_-]subject[_-]token|admin[_-]?pass|password|passwd|"
    r"secret|private[_-]?key|api[_-]?key|credential|^token$|[_-]token$|^token[_-]|authorization$|^(set[_-])?cookie$)"
)

#: Shortest string that is worth scrubbing from other values once seen as a secret.
MIN_SECRET_LEN = 4
#: A secret at least twice this long is also scrubbed where only its start or its end shows.
FRAGMENT = 12
#: The row type of a redacted value in a value table.
REDACTED = "redacted"
#: What a scrubbed secret becomes inside other text.
SCRUBBED = "[redacted]"
#: Strings remembered from one secret value at most (a huge list under a secret name stays bounded).
MAX_LEAVES = 1000


class SecretSink(Protocol):
    """Whatever remembers secret values (a value table): ``secret(name, value)`` is called for each."""

    def secret(self, name: str, value: object = None) -> object: ...


#: name -> is_secret_name(name): the same few hundred names come back on every event
_secret_names: dict[str, bool] = {}


def is_secret_name(name: object) -> bool:
    """True when a key or variable name says its value is a secret."""
    if type(name) is not str:
        return isinstance(name, str) and SECRET_NAME.search(name) is not None
    found = _secret_names.get(name)
    if found is None:
        found = SECRET_NAME.search(name) is not None
        if len(_secret_names) < 50_000:
            _secret_names[name] = found
    return found


# -- tokens taken as identities ----------------------------------------------------------------

#: A keystone UUID token (32 hex digits, or a UUID with dashes): a token sent here by mistake, not an identity.
TOKEN_SHAPE = re.compile(r"[0-9a-fA-F]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
#: Tokens taken as identities remembered at most (a client sending a new one each time stays bounded).
MAX_IDENTITY_TOKENS = 1000

_identity_tokens: dict[str, None] = {}
_identity_lock = threading.Lock()


def looks_like_token(value: object) -> bool:
    """True when an ``X-Auth-Token`` value is a keystone UUID token rather than ``user:project``."""
    return isinstance(value, str) and ":" not in value and TOKEN_SHAPE.fullmatch(value.strip()) is not None


def remember_identity_token(token: str) -> None:
    """Note a token that noauth2 takes as the user and the project (as Nova's does, a token with no colon).

    The application writes it into every row the request creates, so it is in the database from then on and
    shows in later requests (an admin's listing of every project): every later trace, log line and database
    copy must treat it as the secret it is, not only the trace of the request that sent it.
    """
    token = token.strip()
    with _identity_lock:
        if token in _identity_tokens:
            return
        if len(_identity_tokens) >= MAX_IDENTITY_TOKENS:
            del _identity_tokens[next(iter(_identity_tokens))]
        _identity_tokens[token] = None


def identity_tokens() -> list[str]:
    """Every token taken as an identity so far in this process (see ``remember_identity_token``)."""
    with _identity_lock:
        return list(_identity_tokens)


def redaction_label(name: str) -> str:
    return f"[redacted: {name}]"


#: Names whose value may be a whole document (a token's body with its catalog, a credential record): only the
#: secret-named keys of such a dict hold secrets. Under any other secret name every string is the secret.
DOCUMENT_NAME = re.compile(r"(?i)token|credential|cookie")


def is_document_name(name: object) -> bool:
    """True when a secret name may hold a whole document rather than the secret itself (see ``DOCUMENT_NAME``)."""
    return name is None or (isinstance(name, str) and DOCUMENT_NAME.search(name) is not None)


def secret_strings(value: object, name: str | None = None) -> list[str]:
    """The strings (and numbers, as text) of a secret value found under ``name`` that must not show elsewhere.

    A string or a number is itself; a list gives every item, however deeply lists nest. Below a password's
    name everything is secret, whatever the keys inside say (``{"adminPass": {"x": C}}`` gives ``C``). A dict
    that may be a document (at the top under a token's name, or with no name given) gives the values of its
    secret-named keys only, and everything below those (``{"changePassword": {"adminPass": C}}`` gives ``C``;
    a token document's catalog stays readable). Walked with a stack, not recursion, and at most ``MAX_LEAVES``.
    """
    found: list[str] = []
    # (item, whether its strings are secret, whether it may be a document)
    stack: list[tuple[object, bool, bool]] = [(value, True, is_document_name(name))]
    while stack and len(found) < MAX_LEAVES:
        item, secret, document = stack.pop()
        if isinstance(item, bytes):
            item = item.decode("utf-8", "replace")
        if isinstance(item, str):
            if secret:
                found.append(item)
        elif isinstance(item, (int, float)) and not isinstance(item, bool):
            if secret:
                found.append(str(item))
        elif isinstance(item, Mapping):
            if document or not secret:
                stack.extend((child, is_secret_name(key), False) for key, child in item.items())
            else:
                stack.extend((child, True, False) for child in item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend((child, secret, document) for child in item)
    return found


def escaped_forms(secret: str) -> set[str]:
    """``secret`` as it reads inside a string's repr, inside JSON, inside the repr of that JSON, and URL-encoded."""
    forms = {secret}
    for _level in range(2):
        forms |= {escaped for form in forms for escaped in (repr(form)[1:-1], json.dumps(form)[1:-1])}
    forms |= {quote(secret, safe=""), quote_plus(secret)}
    return forms


def scrub_text(text: str, ordered: list[str], long: list[str]) -> str:
    """``text`` with every secret of ``ordered`` (longest first) replaced, and the cut ends of ``long`` ones."""
    for secret in ordered:
        if secret in text:
            text = text.replace(secret, SCRUBBED)
    return _scrub_parts(text, long) if long else text


def _scrub_parts(text: str, secrets: list[str]) -> str:
    """``text`` without any run of characters that begins or ends one of ``secrets`` (FRAGMENT or longer)."""
    spans = []
    for secret in secrets:
        head, tail = secret[:FRAGMENT], secret[-FRAGMENT:]
        start = text.find(head)
        while start != -1:
            end = start + FRAGMENT
            while end < len(text) and end - start < len(secret) and text[end] == secret[end - start]:
                end += 1
            spans.append((start, end))
            start = text.find(head, start + 1)
        found = text.find(tail)
        while found != -1:
            start, offset = found, len(secret) - FRAGMENT
            while start > 0 and offset > 0 and text[start - 1] == secret[offset - 1]:
                start, offset = start - 1, offset - 1
            spans.append((start, found + FRAGMENT))
            found = text.find(tail, found + 1)
    if not spans:
        return text
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    pieces, kept_to = [], 0
    for start, end in merged:
        pieces += [text[kept_to:start], SCRUBBED]
        kept_to = end
    pieces.append(text[kept_to:])
    return "".join(pieces)


# -- structured places: headers and query strings ----------------------------------------------


def redact_headers(headers: Mapping[str, str], table: SecretSink | None = None) -> dict[str, str]:
    """Headers as a plain dict with secret values replaced (and remembered by ``table``)."""
    clean: dict[str, str] = {}
    for name, value in headers.items():
        if is_secret_name(name):
            if table is not None:
                table.secret(name, value)
            clean[name] = redaction_label(name)
        else:
            clean[name] = value
    return clean


def redact_query(query: str, table: SecretSink | None = None) -> str:
    """A query string with the values of secret-named parameters replaced (and remembered by ``table``);
    every other byte of it as it came."""
    pieces = []
    for piece in query.split("&"):
        raw_name, sep, raw_value = piece.partition("=")
        name = unquote_plus(raw_name)
        if sep and is_secret_name(name):
            if table is not None:  # as it came and decoded: other values hold either
                table.secret(name, raw_value)
                table.secret(name, unquote_plus(raw_value))
            piece = f"{raw_name}={redaction_label(name)}"
        pieces.append(piece)
    return "&".join(pieces)


# -- free text: bodies and log lines ------------------------------------------------------------

# A name that may introduce a value: "key": / 'key': (JSON, a repr), key= (a query, keyword arguments),
# Key: (a header line). The value that follows is found by ``_value_end``.
_NAMED = re.compile(
    r"""(?P<quote>["'])(?P<qkey>[^"'\\\n]{1,120})(?P=quote)\s*:\s*"""
    r"""|(?<![\w%.-])(?P<akey>[A-Za-z_%][\w%.-]{0,120})=(?!=)"""
    r"""|(?<![\w"'-])(?P<hkey>[A-Za-z][\w-]{0,120}):[ \t]+"""
)
_STRING = re.compile(r""""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'""", re.S)
_NUMBER = re.compile(r"-?\d[\d.eE+-]*")
_CLOSE = {"[": "]", "{": "}", "(": ")"}


def _string_end(text: str, start: int) -> int:
    """The index after the string literal that opens at ``start`` (or the end of the text if unclosed)."""
    quote_char, i, size = text[start], start + 1, len(text)
    while i < size:
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == quote_char:
            return i + 1
        i += 1
    return size


def _value_end(text: str, start: int, stops: str) -> int:
    """The index after the value starting at ``start``: a string, a bracketed container (strings inside
    skipped, nesting counted without recursion), or a bare word ending at one of ``stops``."""
    size = len(text)
    if start >= size:
        return start
    char = text[start]
    if char in "\"'":
        return _string_end(text, start)
    if char in _CLOSE:
        depth, i = 0, start
        while i < size:
            char = text[i]
            if char in "\"'":
                i = _string_end(text, i)
                continue
            if char in "[{(":
                depth += 1
            elif char in "]})":
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
        return size
    i = start
    while i < size and text[i] not in stops:
        i += 1
    return i


def _decoded(literal: str) -> list[str]:
    """A string literal's text as written and as decoded (JSON's escapes, which cover a repr's common ones)."""
    closed = len(literal) >= 2 and literal[-1] == literal[0]
    inner = literal[1:-1] if closed else literal[1:]
    candidate = inner if literal[0] == '"' else inner.replace("\\'", "'").replace('"', '\\"')
    try:
        decoded = json.loads('"' + candidate + '"')
    except ValueError:
        return [inner]
    return [inner] if decoded == inner else [inner, decoded]


#: How much of a secret list is read for the values to remember (a longer one is cut there).
_LIST_SCAN = 4096


def _remember(name: str, text: str, start: int, table: SecretSink) -> None:
    """Give ``table`` the value that starts at ``text[start]``: a string, a bare word, or what a list or dict holds.

    Under a password's name every string and number inside a list or dict is remembered (its keys aside).
    Under a name that may hold a document (``token``) a dict, and the values of keys in a list's dicts, are
    left to the scan itself: it visits the keys inside, and the secret ones among them.
    """
    first = text[start:start + 1]
    if first in "\"'":
        for decoded in _decoded(text[start:_string_end(text, start)]):
            table.secret(name, decoded)
        return
    document = is_document_name(name)
    if first == "{" and document:
        return
    if first in "[{":
        span = text[start:start + _LIST_SCAN]
        span = span[:_value_end(span, 0, "")]
        position = 0
        for match in _STRING.finditer(span):
            before, after = span[position:match.start()], span[match.end():match.end() + 40].lstrip()
            for number in _NUMBER.findall(before):
                table.secret(name, number)
            position = match.end()
            if after.startswith(":") or (document and before.rstrip().endswith(":")):
                continue  # a key; or, in a document, the value of a key that is not secret
            for decoded in _decoded(match.group()):
                table.secret(name, decoded)
        for number in _NUMBER.findall(span[position:]):
            table.secret(name, number)
        return
    if first and first != "(":
        end = _value_end(text, start, ",}]&; \t\n\r\"')")
        table.secret(name, text[start:end])
        table.secret(name, unquote_plus(text[start:end]))


def _register(text: str, table: SecretSink) -> None:
    """Every secret value in ``text``, nested ones too (the redacting pass skips over what it replaced)."""
    for match in _NAMED.finditer(text):
        quoted, assigned, header = match.group("qkey"), match.group("akey"), match.group("hkey")
        name = quoted or (unquote_plus(assigned) if assigned else header) or ""
        if is_secret_name(name):
            _remember(name, text, match.end(), table)


def redact_text(text: str, table: SecretSink | None = None) -> str:
    """``text`` with the value after every secret name replaced by its label (values remembered by ``table``).

    Finds ``"adminPass": ...`` and ``'password': ...`` (JSON, reprs), ``password=...`` (queries, keyword
    arguments) and ``X-Auth-Token: ...`` (header lines); a value may be a string, a number, or a list or dict
    nested to any depth. Everything else is returned as it came.
    """
    if table is not None:
        _register(text, table)
    pieces: list[str] = []
    kept_to = position = 0
    while True:
        match = _NAMED.search(text, position)
        if match is None:
            break
        quoted, assigned, header = match.group("qkey"), match.group("akey"), match.group("hkey")
        name = quoted or (unquote_plus(assigned) if assigned else header) or ""
        if not is_secret_name(name):
            position = match.end() if quoted else match.start() + 1
            continue
        start = match.end()
        if quoted:
            end = _value_end(text, start, ",}]\n\r")
            label = json.dumps(redaction_label(name)) if match.group("quote") == '"' else repr(redaction_label(name))
        elif assigned:
            end = _value_end(text, start, "&;, \t\n\r\"')]}")
            label = redaction_label(name)
        else:
            end = _value_end(text, start, "\n\r")
            label = redaction_label(name)
        if end == start:
            position = match.end()
            continue
        pieces += [text[kept_to:start], label]
        kept_to = position = end
    if not pieces:
        return text
    pieces.append(text[kept_to:])
    return "".join(pieces)


def redact_json_text(text: str, table: SecretSink | None = None) -> str:
    """A request or response body with the values of secret keys redacted, however deep they sit; the rest of
    it (JSON or not) exactly as it came."""
    return redact_text(text, table)


class RedactingFilter(logging.Filter):
    """A logging filter for handlers: every record's message (and traceback) with secret values redacted.

    Put on a handler, it sees the lines of every library, at every level: the message is formatted once,
    redacted, and handed on with no arguments left to format again.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken log call: keep its template only
            message = str(record.msg)
        tokens = identity_tokens()
        record.msg, record.args = _without_tokens(redact_text(message), tokens), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = _without_tokens(redact_text(record.exc_text), tokens)
        if record.stack_info:
            record.stack_info = _without_tokens(redact_text(record.stack_info), tokens)
        return True


def _without_tokens(text: str, tokens: list[str]) -> str:
    """``text`` with every token taken as an identity replaced (a user id in a log line, say)."""
    for token in tokens:
        if token in text:
            text = text.replace(token, SCRUBBED)
    return text
