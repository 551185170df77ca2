"""The hop tree folds a chain of decorator frames into one node, and caught exceptions make no exception path."""

from __future__ import annotations

import webob

from tracer.model.labels import parse_labels
from tracer.model.trace import Trace
from tracer.record.recorder import Recorder
from tracer.render.tree import HopTree

MODULE = "tracer_fold_app"
SOURCE = '''
import functools


def validated(schema):
    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            check(schema)
            return func(*args, **kwargs)
        return wrapper
    return decorator


def check(schema):
    try:
        return {"a": 1}[schema]
    except KeyError:  # an optional key looked up the Python way: ordinary flow
        return None


@validated("a")
@validated("b")
@validated("c")
def detail():
    return listing()


def listing():
    return [1, 2, 3]


def app(environ, start_response):
    body = str(detail()).encode()
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [body]
'''

LABELS = parse_labels(f"""
[[hop]]
match = "{MODULE}:validated*"
layer = "validation"
does = "Checks the input."

[[hop]]
match = "{MODULE}:check"
layer = "validation"

[[hop]]
match = "{MODULE}:*"
layer = "controller"
""")


def recorded(fake_module) -> Trace:
    module = fake_module(MODULE, SOURCE)
    environ = webob.Request.blank("/").environ
    _status, _headers, _body, doc = Recorder(include=(MODULE,), detail="line", labels=LABELS).call_wsgi(
        module.app, environ)
    return Trace.from_dict(doc)


def test_a_decorator_chain_is_one_node_and_unfolds_on_request(fake_module):
    trace = recorded(fake_module)
    folded = HopTree(trace, labels=LABELS).lines()
    chain = [line for line in folded if "decorator frames" in line]
    assert len(chain) == 1 and "3 decorator frames  validation" in chain[0]
    assert "folded with 2 calls beside them" in chain[0]  # the outer two wrappers' checks; the last one's show
    assert not any("wrapper" in line.split("  ")[0] for line in folded)
    below = [line.strip(" │├└─").split("  ")[0] for line in folded[folded.index(chain[0]) + 1:]]
    assert below[:2] == ["check", "detail"]
    unfolded = HopTree(trace, labels=LABELS, fold_decorators=False).lines()
    assert sum(1 for line in unfolded if line.strip(" │├└─").startswith("validated.<locals>.decorator.<locals>"
                                                                             ".wrapper  ")) == 3


def test_an_exception_caught_where_it_was_raised_makes_no_exception_path(fake_module):
    trace = recorded(fake_module)
    lines = HopTree(trace, labels=LABELS, max_depth=1).lines()
    assert any("more calls below" in line for line in lines)
    assert not any("exception path" in line for line in lines)
    unfolded = HopTree(trace, labels=LABELS, fold_decorators=False).lines()
    assert any("✓ caught KeyError" in line for line in unfolded)  # the marks still show where it happened
