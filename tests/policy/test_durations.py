"""Expiry durations: how people write them and how explain reads them back."""

from __future__ import annotations

import pytest

from policy.durations import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("30m", 1800), ("2h", 7200), ("1h30m", 5400), ("1h 30m", 5400), ("1d", 86400),
     ("1.5h", 5400), (600, 600), (2.5, 2.5)],
)  # fmt: skip
def test_parse(text: str | float, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["", "30", "soon", "m30", "0s", 0, -1, True, None, float("inf")])
def test_refused(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(bad)


def test_format() -> None:
    assert format_duration(1800) == "30 minutes"
    assert format_duration(5400) == "1 hour 30 minutes"
    assert format_duration(90) == "1 minute 30 seconds"
    assert format_duration(86400) == "1 day"
