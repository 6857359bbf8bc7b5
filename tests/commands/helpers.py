"""Shared test helpers: parse a command and expect a UsageError."""

from __future__ import annotations

import pytest

from commands import parse
from commands.intents import UsageError


def refused(command: str, text: str) -> UsageError:
    """The UsageError that parsing raises; the test fails if it parses."""
    with pytest.raises(UsageError) as caught:
        parse(command, text)
    error = caught.value
    assert error.message and len(error.message) < 500
    assert error.usage
    return error
