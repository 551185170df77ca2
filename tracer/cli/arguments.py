"""Argument types of tracer's command line: each turns a word into a value or says in one line what is wrong."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

MODULE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


class UsageError(Exception):
    """Bad command-line input that argparse cannot see (a file, a combination of options)."""


def port_number(value: str) -> int:
    """A TCP port, 0 for a free one."""
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid port {value!r}: not a number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port {value}: must be 0..65535 (0 picks a free one)")
    return port


def positive_int(value: str) -> int:
    """A whole number of 1 or more."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


def parse_include(text: str) -> tuple[str, ...]:
    """``webob, routes`` -> ``("webob", "routes")``, refusing what cannot be a module name."""
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    for name in names:
        if not MODULE_NAME.match(name):
            raise UsageError(f"--include {name!r} is not a module name (give e.g. webob,routes)")
    return names


def check_db_path(path: str | None) -> str | None:
    if path is None:
        return None
    p = Path(path)
    if p.is_dir():
        raise UsageError(f"--db {path!r} is a directory, not a database file")
    if not p.parent.is_dir():
        raise UsageError(f"--db {path!r}: the directory {str(p.parent)!r} does not exist")
    return str(p)


def check_extensions_dir(path: str | None) -> str | None:
    if path is not None and not Path(path).is_dir():
        raise UsageError(f"--extensions-dir {path!r} is not a directory")
    return path
