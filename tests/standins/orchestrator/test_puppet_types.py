"""Puppet parameter types: which JSON values fit which declared types."""

from __future__ import annotations

from typing import Any

import pytest

from standins.orchestrator.puppet_types import (
    TypeSyntaxError,
    accepts_undef,
    mismatch,
    parse_type,
)


@pytest.mark.parametrize(
    "type_, value",
    [
        ("Integer", 3),
        ("Integer[0, 10]", 10),
        ("Float", 1.5),
        ("Numeric", 2),
        ("Boolean", False),
        ("String", ""),
        ("String[1]", "x"),
        ("Optional[String]", None),
        ("Optional[Integer]", 4),
        ("Enum[install, status]", "status"),
        ("Enum['a', \"b\"]", "b"),
        ("Array[String]", ["a"]),
        ("Array[Integer, 1, 2]", [1, 2]),
        ("Hash", {"a": 1}),
        ("Hash[String, Integer]", {"a": 1}),
        ("Variant[Integer, Boolean]", True),
        ("Pattern[/^\\d+$/]", "123"),
        ("TargetSpec", "a,b"),
        ("TargetSpec", ["a", ["b"]]),
        ("Any", None),
        ("Struct[{a => Integer}]", {"a": 1}),
        ("Struct[{a => Integer, Optional[b] => String}]", {"a": 1}),
        ("Sensitive[String]", "pw"),
        ("Stdlib::Absolutepath", "/tmp"),  # unknown aliases are not second-guessed
    ],
)
def test_values_that_fit(type_: str, value: Any) -> None:
    assert mismatch(parse_type(type_), value) is None


@pytest.mark.parametrize(
    "type_, value",
    [
        ("Integer", "3"),
        ("Integer", True),
        ("Integer", 1.0),
        ("Integer[0, 10]", 11),
        ("Float", 1),
        ("Boolean", "true"),
        ("String", 5),
        ("String[1]", ""),
        ("Optional[String]", 5),
        ("Enum[install, status]", "explode"),
        ("Array[String]", "a"),
        ("Array[String]", ["a", 1]),
        ("Array[Integer, 1, 2]", []),
        ("Hash", []),
        ("Hash[String, Integer]", {"a": "1"}),
        ("Variant[Integer, Boolean]", "x"),
        ("Pattern[/^\\d+$/]", "12a"),
        ("TargetSpec", 5),
        ("Undef", 1),
        ("Struct[{a => Integer}]", {"a": 1, "b": 2}),
        ("Struct[{a => Integer}]", {}),
    ],
)
def test_values_that_do_not_fit(type_: str, value: Any) -> None:
    problem = mismatch(parse_type(type_), value)
    assert problem is not None and problem.startswith("expects a value of type")


@pytest.mark.parametrize(
    "type_, optional",
    [
        ("Optional[String]", True),
        ("Any", True),
        ("Variant[Undef, Integer]", True),
        ("String", False),
        ("Integer", False),
        ("TargetSpec", False),
    ],
)
def test_which_parameters_may_be_left_out(type_: str, optional: bool) -> None:
    assert accepts_undef(parse_type(type_)) is optional


@pytest.mark.parametrize(
    "text", ["Integer[", "Enum[a b]", "Array[String]]", "[String]", "Hash[{a 1}]"]
)
def test_malformed_types_do_not_parse(text: str) -> None:
    with pytest.raises(TypeSyntaxError):
        parse_type(text)
