"""APIVersionRequest: Nova's version string rules and range check."""

from __future__ import annotations

import pytest

from sample_api import exception
from sample_api.api.openstack import api_version_request as avr


@pytest.mark.parametrize("text", ["2.1", "2.0", "10.25"])
def test_valid_strings_round_trip(text):
    assert avr.APIVersionRequest(text).get_string() == text


@pytest.mark.parametrize("text", ["2.01", "02.1", "2", "2.1.1", "latest", " 2.1", "", "2.x"])
def test_invalid_strings(text):
    with pytest.raises(exception.InvalidAPIVersionString):
        avr.APIVersionRequest(text)


def test_ordering_is_numeric():
    assert avr.APIVersionRequest("2.10") > avr.APIVersionRequest("2.9")
    assert avr.APIVersionRequest("2.1") == avr.APIVersionRequest("2.1")


def test_matches_range_and_null_bounds():
    v = avr.APIVersionRequest("2.5")
    assert v.matches(avr.APIVersionRequest("2.1"), avr.APIVersionRequest("2.5"))
    assert not v.matches(avr.APIVersionRequest("2.6"), avr.APIVersionRequest("2.9"))
    assert v.matches(avr.APIVersionRequest(), avr.APIVersionRequest("2.9"))
    assert v.matches(avr.APIVersionRequest("2.1"), avr.APIVersionRequest())


def test_null_version():
    null = avr.APIVersionRequest()
    assert null.is_null()
    with pytest.raises(ValueError):
        null.get_string()


def test_this_api_spans_2_1_to_2_19():
    assert avr.min_api_version().get_string() == "2.1"
    assert avr.max_api_version().get_string() == "2.19"
