"""Property: any text given to any command is an intent or a short UsageError, never a crash."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commands import parse
from commands.flags import TABLES
from commands.intents import UsageError

COMMANDS = ("deploy", "task", "plan", "stop")
QUICK = settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)

FLAGS = sorted({name for table in TABLES.values() for flag in table for name in flag.names})
WORDS = st.sampled_from(
    [
        "production",
        "''",
        "list",
        "show",
        "target",
        "create",
        "plan",
        "help",
        "1234",
        "77",
        "package",
        "canary::random",
        "web01.example.com",
        "a,b",
        ",",
        "=",
        "x=",
        "=x",
        "action=install",
        "targets=query:'nodes[certname] { }'",
        "targets=node_group:",
        "00000000-0000-4000-8000-000000000000",
        "[",
        "{",
        "[]",
        "{}",
        '["from", "nodes"]',
        "'{\"a\": 1}'",
        "'",
        '"',
        "\u201c",
        "\u2019",
        "&amp;",
        "&lt;",
        "<http://a|a>",
        "<@U1>",
        "--",
        "-",
        "\u2014noop",
        "-5",
        "0",
        "99999999999",
        "undef",
        "\\",
        "#",
        "\u00a0",
    ]
)
TOKEN = st.one_of(
    WORDS,
    st.sampled_from(FLAGS),
    st.builds(lambda f, v: f"{f}={v}", st.sampled_from(FLAGS), WORDS),
    st.text(max_size=12),
)
PLAUSIBLE = st.lists(TOKEN, max_size=14).map(" ".join)
ANY_TEXT = st.one_of(st.text(), PLAUSIBLE, st.text(min_size=2000, max_size=5000))


def outcome(command: str, text: str) -> None:
    try:
        parse(f"/{command}", text)
    except UsageError as error:
        assert error.message
        assert len(error.message) < 3000
        assert error.command == command


@pytest.mark.parametrize("command", COMMANDS)
@QUICK
@given(text=ANY_TEXT)
def test_any_text_is_an_intent_or_a_usage_error(command: str, text: str) -> None:
    outcome(command, text)


@pytest.mark.parametrize("command", COMMANDS)
@QUICK
@given(text=PLAUSIBLE)
def test_plausible_commands_are_an_intent_or_a_usage_error(command: str, text: str) -> None:
    outcome(command, text)


@QUICK
@given(command=st.text(max_size=20), text=st.text(max_size=50))
def test_any_command_name_is_an_intent_or_a_usage_error(command: str, text: str) -> None:
    try:
        parse(command, text)
    except UsageError as error:
        assert 0 < len(error.message) < 3000


@pytest.mark.parametrize("command", COMMANDS)
def test_very_long_inputs_are_answered(command: str) -> None:
    for text in (
        "a" * 100_000,
        "--nodes " + ",".join(["web01"] * 20_000),
        "[" * 50_000,
        "'" * 9_999,
    ):
        outcome(command, text)
    outcome("deploy", "production --query '" + "[" * 50_000 + "'")
    outcome("task", "x --nodes a --params '" + '{"a":' * 50_000 + "'")


DEPLOY_OPTIONS = {
    "--noop": "noop",
    "--concurrency 3": "concurrency",
    "--tags a,b": "tags",
    "--skip-tags c": "skip_tags",
    "--description 'x y'": "description",
    "--no-enforce-environment": "enforce_environment",
    "--debug": "debug",
    "--trace": "trace",
    "--evaltrace": "evaltrace",
    "--filetimeout=5": "filetimeout",
    "--http-connect-timeout 5": "http_connect_timeout",
    "--http-keepalive-timeout 5": "http_keepalive_timeout",
    "--http-read-timeout 5": "http_read_timeout",
    "--ordering random": "ordering",
    "--use-cached-catalog": "use_cached_catalog",
    "--usecacheonfailure": "usecacheonfailure",
    "--userdata k=v": "userdata",
}
SCOPES = {
    "--nodes web01.example.com,web02": "nodes",
    "-q 'nodes[certname] { }'": "query",
    "--node-group 00000000-0000-4000-8000-000000000000": "node_group",
}


@QUICK
@given(
    scope=st.sampled_from(sorted(SCOPES)),
    options=st.lists(st.sampled_from(sorted(DEPLOY_OPTIONS)), unique=True).flatmap(st.permutations),
)
def test_any_valid_combination_of_deploy_flags_reaches_its_keys(
    scope: str, options: list[str]
) -> None:
    words = ["production", scope, *options]
    intent = parse("/deploy", " ".join(words))
    body = intent.request.body()  # type: ignore[union-attr]
    assert set(body) == {"environment", "scope", *(DEPLOY_OPTIONS[o] for o in options)}
    assert set(body["scope"]) == {SCOPES[scope]}
