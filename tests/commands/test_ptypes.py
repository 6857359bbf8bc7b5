"""Typing parameters from task and plan metadata: each Puppet type, and every problem listed."""

from __future__ import annotations

from typing import Any

import pytest

from commands.ptypes import ParamError, coerce_params
from orchestrator.models import ParamSpec


def typed(type_: str, raw: str) -> Any:
    return coerce_params({"p": raw}, {}, {"p": ParamSpec("p", type_)})["p"]


def refused_raw(type_: str, raw: str) -> list[str]:
    with pytest.raises(ParamError) as caught:
        coerce_params({"p": raw}, {}, {"p": ParamSpec("p", type_)})
    return caught.value.problems


def checked(type_: str, value: Any) -> bool:
    try:
        coerce_params({}, {"p": value}, {"p": ParamSpec("p", type_)})
    except ParamError:
        return False
    return True


@pytest.mark.parametrize(
    ("type_", "raw", "value"),
    [
        ("String", "hello", "hello"),
        ("String", "", ""),
        ("String[1, 5]", "abc", "abc"),
        ("Integer", "3", 3),
        ("Integer", "-7", -7),
        ("Integer[1, 10]", "10", 10),
        ("Integer[default, 0]", "-5", -5),
        ("Float", "1.5", 1.5),
        ("Float", "3", 3.0),
        ("Float[0, 1]", "0.25", 0.25),
        ("Numeric", "3", 3),
        ("Numeric", "3.5", 3.5),
        ("Boolean", "true", True),
        ("Boolean", "FALSE", False),
        ("Optional[Integer]", "undef", None),
        ("Optional[Integer]", "4", 4),
        ("Optional[String]", "", ""),
        ("Optional", "x", "x"),
        ("Enum[install, remove]", "remove", "remove"),
        ("Enum['Start', 'stop', true]", "start", "start"),
        (r"Pattern[/\A[a-z]+\z/]", "abc", "abc"),
        ("Array", "a,b", ["a", "b"]),
        ("Array[Integer]", "1, 2,3", [1, 2, 3]),
        ("Array[Integer]", "[1, 2]", [1, 2]),
        ("Array[String, 1, 2]", "x", ["x"]),
        ("Array[String]", "", []),
        ("Hash", '{"a": 1}', {"a": 1}),
        ("Hash[String, Integer]", '{"a": 1}', {"a": 1}),
        ("Struct[{name => String, Optional[port] => Integer}]", '{"name": "x"}', {"name": "x"}),
        ("Tuple[String, Integer]", "a,2", ["a", 2]),
        ("Tuple[String, Integer]", '["a", 2]', ["a", 2]),
        ("Variant[Integer, Boolean]", "true", True),
        ("Variant[Integer, String]", "12", 12),
        ("Variant[String, Integer]", "12", "12"),
        ("TargetSpec", "web01.example.com", "web01.example.com"),
        ("TargetSpec", "web01,web02", ["web01", "web02"]),
        ("Boltlib::TargetSpec", "web01, web02", ["web01", "web02"]),
        ("Optional[TargetSpec]", "a,b", ["a", "b"]),
        ("Sensitive[String]", "s3cret", "s3cret"),
        ("Any", "3", "3"),
        ("Data", "true", "true"),
        ("Stdlib::Absolutepath", "/tmp", "/tmp"),
        ("Not a type [", "x", "x"),
    ],
)
def test_raw_values_take_the_declared_type(type_: str, raw: str, value: Any) -> None:
    assert typed(type_, raw) == value
    assert type(typed(type_, raw)) is type(value)


@pytest.mark.parametrize(
    ("type_", "raw"),
    [
        ("Integer", "three"),
        ("Integer", "3.0"),
        ("Integer", "99999999999999999999"),
        ("Integer[1, 10]", "11"),
        ("Float", "abc"),
        ("Float", "1e999"),
        ("Float", "nan"),
        ("Numeric", "x"),
        ("Boolean", "yes"),
        ("String[1]", ""),
        ("String[1, 3]", "abcd"),
        ("Optional[Integer]", ""),
        ("Undef", "x"),
        ("Enum[install, remove]", "Install"),
        (r"Pattern[/\A[a-z]+\z/]", "ABC"),
        ("Array[Integer]", "1,x"),
        ("Array[String, 2]", "a"),
        ("Array[Integer]", "[1, "),
        ("Hash", "a=1"),
        ("Hash[String, Integer]", '{"a": "x"}'),
        ("Struct[{name => String}]", '{"name": "x", "extra": 1}'),
        ("Struct[{name => String}]", "{}"),
        ("Tuple[String, Integer]", "a"),
        ("Variant[Integer, Boolean]", "x"),
        ("TargetSpec", ""),
    ],
)
def test_values_that_do_not_fit_are_refused(type_: str, raw: str) -> None:
    assert refused_raw(type_, raw) == [
        f"p={raw if len(raw) <= 40 else raw[:39] + '…'}: expected {type_}"
    ]


def test_message_for_a_word_where_an_integer_is_declared() -> None:
    with pytest.raises(ParamError) as caught:
        coerce_params({"count": "three"}, {}, {"count": ParamSpec("count", "Integer")})
    assert caught.value.problems == ["count=three: expected Integer"]
    assert str(caught.value) == "count=three: expected Integer"
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("type_", "value", "fits"),
    [
        ("Integer", 3, True),
        ("Integer", True, False),
        ("Integer", "3", False),
        ("Float", 1.5, True),
        ("Float", 3, False),
        ("Numeric", 3, True),
        ("Boolean", False, True),
        ("Boolean", "true", False),
        ("Optional[String]", None, True),
        ("String", None, False),
        ("NotUndef[String]", "x", True),
        ("Array[Integer, 1]", [1], True),
        ("Array[Integer, 1]", [], False),
        ("Hash[String, Array[String]]", {"a": ["b"]}, True),
        ("Hash[String, Array[String]]", {"a": "b"}, False),
        ("Struct[{a => Integer, b => Optional[String]}]", {"a": 1}, True),
        ("Struct[{a => Integer}]", {"a": "1"}, False),
        ("Tuple[String, Integer, 1, 3]", ["a", 1, 2], True),
        ("Tuple[String, Integer]", ["a", 1, 2], False),
        ("TargetSpec", ["a", ["b"]], True),
        ("TargetSpec", 3, False),
        ("Variant[Integer, Array[Integer]]", [1], True),
        ("Enum[a, b]", "c", False),
        ("Scalar", {"x": 1}, False),
        ("Collection[1]", {"a": 1}, True),
        ("Data", {"anything": [1, None]}, True),
        ("Pattern[/(/]", "x", True),
    ],
)
def test_json_values_are_checked_not_converted(type_: str, value: Any, fits: bool) -> None:
    assert checked(type_, value) is fits


def test_json_values_pass_through_unchanged() -> None:
    specs = {"n": ParamSpec("n", "Integer"), "s": ParamSpec("s", "Array[String]")}
    assert coerce_params({}, {"n": 2, "s": ["a"]}, specs) == {"n": 2, "s": ["a"]}


def test_every_problem_is_listed_at_once() -> None:
    specs = {
        "action": ParamSpec("action", "Enum[install, remove]"),
        "name": ParamSpec("name", "String[1]"),
        "count": ParamSpec("count", "Integer"),
        "colour": ParamSpec("colour", "String", has_default=True, default="red"),
        "note": ParamSpec("note", "Optional[String]"),
        "flag": ParamSpec("flag", "Boolean"),
    }
    with pytest.raises(ParamError) as caught:
        coerce_params({"action": "upgrade", "color": "blue", "count": "x"}, {"flag": "yes"}, specs)
    assert caught.value.problems == [
        "action=upgrade: expected Enum[install, remove]",
        "color: no such parameter (did you mean colour?)",
        "count=x: expected Integer",
        'flag="yes": expected Boolean',
        "name: missing (required, String[1])",
    ]


def test_unknown_parameter_without_a_close_match_lists_the_known_ones() -> None:
    with pytest.raises(ParamError) as caught:
        coerce_params({"zzz": "1"}, {}, {"a": ParamSpec("a", "Any", has_default=True)})
    assert caught.value.problems == ["zzz: no such parameter (known: a)"]


def test_parameter_in_both_raw_and_json_is_a_problem() -> None:
    with pytest.raises(ParamError) as caught:
        coerce_params({"a": "1"}, {"a": 1}, {"a": ParamSpec("a", "Integer")})
    assert caught.value.problems == ["a: given both as a=... and in --params"]


def test_parameters_given_elsewhere_count_as_present_and_must_exist() -> None:
    specs = {"targets": ParamSpec("targets", "TargetSpec"), "msg": ParamSpec("msg", "String")}
    assert coerce_params({"msg": "hi"}, {}, specs, elsewhere=["targets"]) == {"msg": "hi"}
    with pytest.raises(ParamError) as caught:
        coerce_params({"msg": "hi"}, {}, specs, elsewhere=["nodes"])
    assert caught.value.problems == [
        "nodes: no such parameter (known: msg, targets)",
        "targets: missing (required, TargetSpec)",
    ]


def test_without_metadata_everything_passes_through_untyped() -> None:
    assert coerce_params({"a": "1"}, {"b": [2]}, {}) == {"a": "1", "b": [2]}


def test_optional_parameters_are_not_required() -> None:
    assert coerce_params({}, {}, {"note": ParamSpec("note", "Optional[String]")}) == {}


def test_long_values_are_shortened_in_messages() -> None:
    problems = refused_raw("Integer", "x" * 500)
    assert len(problems[0]) < 80


def test_deeply_nested_json_does_not_crash() -> None:
    nested: Any = "a"
    for _ in range(5000):
        nested = [nested]
    assert checked("TargetSpec", nested) is False
    assert refused_raw("Array[Array[String]]", "[" * 5000 + "]" * 5000)
