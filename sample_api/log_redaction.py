"""Keep passwords and tokens out of ``sample-api serve``'s log, at every level, ``--debug`` included.

Nova masks its own debug lines with ``oslo_utils.strutils.mask_password``; that misses a password sent as a
list, a nested action and a token header line, and cuts the rest of a query string. This filter sits on
the log handler, so it sees every library's lines, and masks the value after every secret name: in JSON
or a repr (``"adminPass": ...``, any value, nested to any depth), a query or keyword argument
(``password=...``) and a header line (``X-Auth-Token: ...``).
"""

from __future__ import annotations

import logging
import re

MASK = "***"
SECRET_NAME = re.compile(
    r"(?i)(auth[_-]?token|x[_-]auth[_-]token|x[_-]subject[_-]token|admin[_-]?pass|password|passwd|"
    r"secret|private[_-]?key|api[_-]?key|credential|^token$|[_-]token$|^token[_-]|authorization$|^(set[_-])?cookie$)"
)
_NAMED = re.compile(
    r"""(?P<quote>["'])(?P<qkey>[^"'\\\n]{1,120})(?P=quote)\s*:\s*"""
    r"""|(?<![\w%.-])(?P<akey>[A-Za-z_%][\w%.-]{0,120})=(?!=)"""
    r"""|(?<![\w"'-])(?P<hkey>[A-Za-z][\w-]{0,120}):[ \t]+"""
)


def _string_end(text: str, start: int) -> int:
    quote, i = text[start], start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text[i] == quote:
            return i + 1
        else:
            i += 1
    return len(text)


def _value_end(text: str, start: int, stops: str) -> int:
    """After the string, bracketed value (nesting counted in a loop) or bare word at ``start``."""
    if start >= len(text):
        return start
    if text[start] in "\"'":
        return _string_end(text, start)
    if text[start] in "[{(":
        depth, i = 0, start
        while i < len(text):
            if text[i] in "\"'":
                i = _string_end(text, i)
                continue
            depth += text[i] in "[{("
            depth -= text[i] in "]})"
            if depth == 0:
                return i + 1
            i += 1
        return len(text)
    i = start
    while i < len(text) and text[i] not in stops:
        i += 1
    return i


def mask(text: str) -> str:
    """``text`` with the value after each secret name replaced by ``***``; the rest as it was."""
    pieces, kept_to, position = [], 0, 0
    while (match := _NAMED.search(text, position)) is not None:
        name = match.group("qkey") or match.group("akey") or match.group("hkey") or ""
        if not SECRET_NAME.search(name.replace("%5F", "_").replace("%5f", "_")):
            position = match.end() if match.group("qkey") else match.start() + 1
            continue
        start = match.end()
        stops = ",}]\n\r" if match.group("qkey") else "&;, \t\n\r\"')]}" if match.group("akey") else "\n\r"
        end = _value_end(text, start, stops)
        if end == start:  # nothing after the name
            position = start
            continue
        quote = match.group("quote") or ""
        pieces += [text[kept_to:start], f"{quote}{MASK}{quote}"]
        kept_to = position = end
    return "".join(pieces) + text[kept_to:] if pieces else text


class MaskingFilter(logging.Filter):
    """On a handler: each record's message and traceback masked, formatted once."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken log call: keep its template
            message = str(record.msg)
        record.msg, record.args = mask(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        return True
