"""The command-line helpers shared by ``sample-api serve`` and ``tracer serve``."""

from __future__ import annotations

import argparse

import pytest

from sample_api import utils


def test_loopback_detection():
    assert utils.is_loopback("127.0.0.1")
    assert utils.is_loopback("::1")
    assert utils.is_loopback("localhost")
    assert not utils.is_loopback("0.0.0.0")
    assert not utils.is_loopback("192.168.1.10")


@pytest.mark.parametrize("text, port", [("0", 0), ("8774", 8774), ("65535", 65535)])
def test_port_numbers(text, port):
    assert utils.port_number(text) == port


@pytest.mark.parametrize("text", ["http", "-1", "65536"])
def test_bad_port_numbers_say_why(text):
    with pytest.raises(argparse.ArgumentTypeError, match="invalid port"):
        utils.port_number(text)


def test_positive_int_refuses_zero_and_words():
    assert utils.positive_int("3") == 3
    with pytest.raises(argparse.ArgumentTypeError, match="at least 1"):
        utils.positive_int("0")
    with pytest.raises(argparse.ArgumentTypeError, match="invalid number"):
        utils.positive_int("many")
