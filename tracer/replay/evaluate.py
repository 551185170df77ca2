"""pdb's ``p EXPR`` over a trace: a small, safe evaluator of expressions on the values a frame recorded.

Nothing runs: the expression is parsed with :mod:`ast` and only names, constants, subscripts, attributes,
comparisons, boolean operators, ``not`` and literal lists and tuples are walked, over the recorded
descriptions of the frame's locals. A leaf (a number, a string, None, True) is read back from its recorded
repr with :func:`ast.literal_eval`; a container stays a recorded value whose children are looked up by key.
When the answer needs something the trace did not keep (a key left out past the value limits, a text cut in
the middle, an object's method), :class:`NotRecorded` says so instead of guessing.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Mapping
from typing import Any

from tracer.model.trace import Value

LEAF_TYPES = ("int", "float", "bool", "NoneType", "str", "bytes", "complex")


class EvaluationError(Exception):
    """The expression cannot be evaluated; the message is one line for the user, as pdb would print it."""


class NotRecorded(EvaluationError):
    """The answer needs something the trace did not record."""


_COMPARE = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_, ast.IsNot: operator.is_not,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}


def parse(expression: str) -> ast.expr:
    """The expression's tree, or :class:`EvaluationError` for a syntax error or a form this evaluator refuses."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as exc:
        raise EvaluationError(f"*** SyntaxError: {exc.msg}") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise EvaluationError(f"*** only names, [subscripts], .attributes, comparisons, and/or/not and "
                                  f"literals can be read from a recording (not {type(node).__name__})")
    return tree.body


_ALLOWED = (ast.Expression, ast.Name, ast.Load, ast.Constant, ast.Subscript, ast.Attribute, ast.Compare,
            ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.List, ast.Tuple, ast.Slice,
            *_COMPARE)


def evaluate(expression: str | ast.expr, names: Mapping[str, Value]) -> Any:
    """The value of ``expression`` over ``names`` (a frame's recorded locals): a :class:`Value` or a Python
    constant."""
    node = parse(expression) if isinstance(expression, str) else expression
    return _eval(node, names)


def truth(expression: str | ast.expr, names: Mapping[str, Value]) -> bool:
    """Whether a breakpoint's condition holds; a recorded container is true when it has children."""
    result = evaluate(expression, names)
    if isinstance(result, Value):
        return bool(result.children) or result.more > 0
    return bool(result)


def plain(value: Any) -> Any:
    """A recorded leaf as the Python value it was; a container stays as recorded."""
    if not isinstance(value, Value):
        return value
    if value.type_name in LEAF_TYPES and not value.has_children:
        if value.type_name == "str" and _is_cut(value.summary):
            raise NotRecorded(f"*** the text was recorded cut short ({value.summary[:40]}...): it cannot be compared")
        try:
            return ast.literal_eval(value.summary)
        except (ValueError, SyntaxError):
            raise NotRecorded(f"*** {value.summary} was recorded as text only") from None
    if value.is_redacted:
        raise NotRecorded(f"*** {value.summary}: a secret is never recorded")
    return value


def _is_cut(summary: str) -> bool:
    try:
        ast.literal_eval(summary)
    except (ValueError, SyntaxError):
        return True
    return False


def _eval(node: ast.expr, names: Mapping[str, Value]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in names:
            return names[node.id]
        if node.id in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[node.id]
        raise EvaluationError(f"*** NameError: name {node.id!r} is not defined in this frame")
    if isinstance(node, (ast.List, ast.Tuple)):
        items = [plain(_eval(item, names)) for item in node.elts]
        return items if isinstance(node, ast.List) else tuple(items)
    if isinstance(node, ast.Subscript):
        return _child(_eval(node.value, names), plain(_eval(node.slice, names)), ast.unparse(node.value), "[]")
    if isinstance(node, ast.Attribute):
        return _child(_eval(node.value, names), node.attr, ast.unparse(node.value), ".")
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, names)
        if isinstance(node.op, ast.Not):
            return not _truthy(operand)
        return -plain(operand)
    if isinstance(node, ast.BoolOp):
        result: Any = None
        for value_node in node.values:
            result = _eval(value_node, names)
            if isinstance(node.op, ast.And) and not _truthy(result):
                return result
            if isinstance(node.op, ast.Or) and _truthy(result):
                return result
        return result
    if isinstance(node, ast.Compare):
        left = _eval(node.left, names)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _eval(right_node, names)
            if not _compare(op, left, right):
                return False
            left = right
        return True
    raise EvaluationError(f"*** cannot evaluate {ast.unparse(node)}")


def _truthy(value: Any) -> bool:
    if isinstance(value, Value):
        if value.has_children or value.more:
            return True
        return bool(plain(value))
    return bool(value)


def _compare(op: ast.cmpop, left: Any, right: Any) -> bool:
    if isinstance(op, (ast.In, ast.NotIn)) and isinstance(right, Value) and right.has_children:
        keys = {key for key, _child in right.children}
        wanted = plain(left)
        found = str(wanted) in keys if right.type_name not in ("list", "tuple") else any(
            _equal_leaf(child, wanted) for _key, child in right.children)
        if not found and right.more:
            raise NotRecorded(f"*** {right.more} children of that {right.type_name} were not recorded")
        return found if isinstance(op, ast.In) else not found
    a, b = plain(left), plain(right)
    if isinstance(a, Value) or isinstance(b, Value):
        raise NotRecorded("*** a recorded container can only be compared by its items (e.g. x['key'] == 1)")
    try:
        return bool(_COMPARE[type(op)](a, b))
    except TypeError as exc:
        raise EvaluationError(f"*** TypeError: {exc}") from None


def _equal_leaf(child: Value, wanted: Any) -> bool:
    try:
        return plain(child) == wanted
    except NotRecorded:
        return False


def _child(container: Any, key: Any, shown: str, how: str) -> Value:
    if not isinstance(container, Value):
        raise EvaluationError(f"*** {shown} is {container!r}, which has no {'item' if how == '[]' else 'attribute'} "
                              f"{key!r}")
    if container.is_redacted:
        raise NotRecorded(f"*** {shown} is {container.summary}: a secret is never recorded")
    wanted = str(key) if not isinstance(key, str) else key
    if isinstance(key, int) and key < 0 and container.type_name in ("list", "tuple"):
        wanted = str(len(container.children) + container.more + key)
    for child_key, child in container.children:
        if child_key == wanted:
            return child
    if container.more:
        raise NotRecorded(f"*** {shown}{f'[{key!r}]' if how == '[]' else f'.{key}'} was not recorded "
                          f"({container.more} more children of that {container.type_name} were left out)")
    if not container.has_children and container.type_name not in ("dict", "list", "tuple"):
        raise NotRecorded(f"*** {shown} was recorded as {container.summary!r} only: its "
                          f"{'items' if how == '[]' else 'attributes'} were not recorded")
    if how == "[]":
        if container.type_name in ("list", "tuple"):
            raise EvaluationError("*** IndexError: list index out of range")
        raise EvaluationError(f"*** KeyError: {key!r}")
    raise EvaluationError(f"*** AttributeError: {container.type_name!r} object has no recorded attribute {key!r}")


def describe(value: Any, indent: str = "", depth: int = 12) -> list[str]:
    """What ``p`` prints: a leaf's repr, or a recorded container in full, one child a line, nested by indent."""
    if not isinstance(value, Value):
        return [indent + repr(value)]
    if value.is_redacted:
        return [f"{indent}{value.summary}  (a secret is never recorded)"]
    lines = [indent + value.summary]
    if value.has_children and depth > 0:
        for key, child in value.children:
            if child.has_children:
                lines.append(f"{indent}  {key}: {child.summary}")
                lines += describe(child, indent + "    ", depth - 1)[1:]
            else:
                lines.append(f"{indent}  {key}: {child.summary}")
        if value.more:
            lines.append(f"{indent}  … {value.more} more not recorded")
    return lines


def one_line(value: Value, limit: int = 240) -> str:
    """A recorded value as one line of Python-like text (``{'id': 3, 'name': 'db-01', …}``), cut at ``limit``."""
    parts: list[str] = []
    size = 0

    def walk(node: Value) -> None:
        nonlocal size
        if size > limit:
            return
        if not node.has_children:
            text = node.summary
            parts.append(text)
            size += len(text)
            return
        opening, closing = {"dict": ("{", "}"), "list": ("[", "]"), "tuple": ("(", ")")}.get(node.type_name,
                                                                                         (f"<{node.type_name} ", ">"))
        parts.append(opening)
        for n, (key, child) in enumerate(node.children):
            if size > limit:
                break
            if n:
                parts.append(", ")
            if node.type_name == "dict":
                parts.append(f"{key!r}: ")
            elif node.type_name not in ("list", "tuple"):
                parts.append(f"{key}=")
            size += len(key) + 4
            walk(child)
        if node.more:
            parts.append(f", … {node.more} more")
        parts.append(closing)

    walk(value)
    text = "".join(parts)
    return text if len(text) <= limit else text[: limit - 1] + "…"
