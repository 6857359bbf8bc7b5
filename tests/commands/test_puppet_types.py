"""Reading Puppet type expressions from metadata."""

from __future__ import annotations

import pytest

from commands.puppet_types import ANY, DEFAULT, HashLiteral, PType, Regex, parse_type


def test_simple_and_parameterised_types() -> None:
    assert parse_type("String") == PType("String")
    assert parse_type("Integer[1, 10]") == PType("Integer", (1, 10))
    assert parse_type("Integer[default, 10]") == PType("Integer", (DEFAULT, 10))
    assert parse_type("Float[0.5]") == PType("Float", (0.5,))
    assert parse_type("Optional[Array[String[1]]]") == PType(
        "Optional", (PType("Array", (PType("String", (1,)),)),)
    )


def test_enum_with_barewords_and_quoted_strings() -> None:
    assert parse_type("Enum[install, remove]") == PType("Enum", ("install", "remove"))
    assert parse_type("Enum['a b', \"c\"]") == PType("Enum", ("a b", "c"))


def test_pattern_regex() -> None:
    assert parse_type(r"Pattern[/\A\d+\z/, /a\/b/]") == PType(
        "Pattern", (Regex(r"\A\d+\z"), Regex("a/b"))
    )


def test_struct_hash_literal() -> None:
    parsed = parse_type("Struct[{name => String, Optional[port] => Integer,}]")
    assert parsed == PType(
        "Struct",
        (
            HashLiteral(
                (
                    ("name", PType("String")),
                    (PType("Optional", ("port",)), PType("Integer")),
                )
            ),
        ),
    )


def test_qualified_names() -> None:
    assert parse_type("Boltlib::TargetSpec") == PType("Boltlib::TargetSpec")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "string",
        "Array[",
        "Integer]",
        "Integer[1,,]",
        "Enum[a b]",
        "%",
        "Array[" * 5000,
        "A" * 3000,
    ],
)
def test_unreadable_types_are_any(text: str) -> None:
    assert parse_type(text) == ANY
