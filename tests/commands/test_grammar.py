"""Flags as in the PE CLI: forms, lists, switches, integers, unknown flags and help."""

from __future__ import annotations

import pytest

from commands import parse
from commands.flags import DEPLOY
from commands.grammar import Form, parse_args, wants_help
from commands.intents import ShowHelp
from tests.commands.helpers import refused

FORM = Form("deploy", "/deploy ...")


def test_flag_value_may_follow_a_space_or_an_equals_sign() -> None:
    spaced = parse_args(["--concurrency", "3", "--ordering", "random"], DEPLOY, FORM)
    joined = parse_args(["--concurrency=3", "--ordering=random"], DEPLOY, FORM)
    assert spaced.values == joined.values == {"concurrency": 3, "ordering": "random"}


def test_list_flags_accumulate_and_split_on_commas() -> None:
    args = parse_args(["--nodes", "a, b", "--nodes=c", "-n", "d,a"], DEPLOY, FORM)
    assert args.values["nodes"] == ["a", "b", "c", "d"]


def test_words_and_flags_may_interleave() -> None:
    args = parse_args(["production", "--noop", "extra"], DEPLOY, FORM)
    assert args.words == ("production", "extra")
    assert args.values == {"noop": True}


def test_double_dash_ends_the_flags() -> None:
    args = parse_args(["--noop", "--", "--nodes"], DEPLOY, FORM)
    assert args.words == ("--nodes",)


def test_underscore_spelling_and_capitals_are_accepted() -> None:
    args = parse_args(["--Skip_Tags", "a", "--node_group", "x"], DEPLOY, FORM)
    assert args.values == {"skip_tags": ["a"], "node_group": "x"}


def test_em_dash_from_autocorrect_is_read_as_two_hyphens() -> None:
    args = parse_args(["\u2014noop", "\u2013e", "dev"], DEPLOY, FORM)
    assert args.values == {"noop": True, "environment": "dev"}


def test_negative_number_is_a_word_not_a_flag() -> None:
    assert parse_args(["-5"], DEPLOY, FORM).words == ("-5",)


def test_unknown_flag_is_named_with_a_suggestion() -> None:
    error = refused("/deploy", "production --nodse web01")
    assert "'--nodse'" in error.message
    assert "Did you mean '--nodes'?" in error.message
    assert error.usage.startswith("/deploy <environment>")


def test_unknown_flag_without_a_close_match_has_no_suggestion() -> None:
    error = refused("/deploy", "production --nodes a --zzzzzzzz")
    assert "'--zzzzzzzz'" in error.message
    assert "Did you mean" not in error.message


def test_flag_missing_its_value_at_the_end_is_refused() -> None:
    error = refused("/deploy", "production --nodes")
    assert "--nodes needs a value" in error.message


def test_flag_followed_by_another_flag_is_missing_its_value() -> None:
    error = refused("/deploy", "production --nodes --noop")
    assert "--nodes needs a value" in error.message


def test_switch_given_a_value_is_refused() -> None:
    error = refused("/deploy", "production --nodes a --noop=true")
    assert "--noop is a switch" in error.message


def test_repeated_switch_is_harmless() -> None:
    intent = parse("/deploy", "production --nodes a --noop --noop")
    assert intent.request.noop is True


@pytest.mark.parametrize("flag", ["--description", "--query", "--concurrency", "--ordering"])
def test_duplicate_single_valued_flag_is_refused(flag: str) -> None:
    value = {"--concurrency": "2", "--ordering": "random"}.get(flag, "x")
    text = f"production --nodes a {flag} {value} {flag} {value}"
    error = refused("/deploy", text)
    assert f"{flag} is given twice" in error.message


@pytest.mark.parametrize("value", ["three", "0", "-1", "1.5", "", "99999999999", "\uff13"])
def test_integer_flag_refuses_non_positive_or_non_integer(value: str) -> None:
    error = refused("/deploy", f"production --nodes a --concurrency={value}")
    assert "--concurrency takes a whole number" in error.message


@pytest.mark.parametrize(
    ("command", "text"),
    [
        ("/deploy", ""),
        ("/deploy", "   "),
        ("/deploy", "help"),
        ("/deploy", "HELP"),
        ("/deploy", "--help"),
        ("/deploy", "-h"),
        ("/deploy", "production --nodes a --bogus --help"),
        ("/task", "package help"),
        ("/task", "target create help"),
        ("/plan", "canary -h"),
        ("/stop", "help"),
        ("/stop", "plan --help"),
    ],
)
def test_help_forms_show_help(command: str, text: str) -> None:
    assert parse(command, text) == ShowHelp(command.lstrip("/"))


def test_help_as_a_flag_value_is_just_a_value() -> None:
    assert not wants_help(["production", "--description", "help"], DEPLOY)
    intent = parse("/deploy", "production --nodes a --description help")
    assert intent.request.description == "help"


def test_command_without_slash_is_accepted() -> None:
    assert parse("deploy", "help") == ShowHelp("deploy")


def test_unknown_command_is_refused_with_a_suggestion() -> None:
    error = refused("/deplyo", "production")
    assert "'/deplyo'" in error.message
    assert "'deploy'" in error.message
