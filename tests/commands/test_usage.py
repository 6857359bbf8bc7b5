"""Help data: every command has forms, every flag has help, every example parses."""

from __future__ import annotations

import pytest

from commands import parse, usage
from commands.flags import TABLES
from commands.intents import ShowHelp
from commands.usage import FORMS, Usage

COMMANDS = ("deploy", "task", "plan", "stop")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_usage(command: str) -> None:
    help_ = usage(command)
    assert isinstance(help_, Usage)
    assert help_.command == command
    assert help_.synopsis.startswith(f"/{command}")
    assert help_.summary and help_.examples
    assert usage(f"/{command}") == help_


@pytest.mark.parametrize("command", COMMANDS)
def test_every_flag_is_in_the_options_with_help(command: str) -> None:
    options = dict(usage(command).options)
    for flag in TABLES[command]:
        assert flag.display in options
        assert options[flag.display]


@pytest.mark.parametrize(
    "example", [(c, e) for c in COMMANDS for e in usage(c).examples], ids=lambda x: x[1]
)
def test_every_example_parses(example: tuple[str, str]) -> None:
    command, text = example
    slash, _, rest = text.partition(" ")
    assert slash == f"/{command}"
    intent = parse(slash, rest)
    assert not isinstance(intent, ShowHelp)


def test_brief_examples_are_present() -> None:
    examples = {e for c in COMMANDS for e in usage(c).examples}
    for wanted in (
        "/deploy production --nodes web01.example.com,web02.example.com --noop",
        "/task package action=install name=httpd --nodes web01.example.com",
        "/plan canary nodes=web01.example.com,web02.example.com command=whoami canary=1",
        "/plan example_plan message=hello targets=query:'nodes[certname] { }'",
        "/stop 1234 --force",
        "/stop plan 77",
        '/task target create "web restarts" --tasks service '
        "--node-groups 00000000-0000-4000-8000-000000000000",
    ):
        assert wanted in examples


def test_every_form_is_one_line() -> None:
    assert all("\n" not in line for line in FORMS.values())


def test_unknown_command_has_no_usage() -> None:
    with pytest.raises(KeyError):
        usage("reboot")
