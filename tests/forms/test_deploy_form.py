"""The Run Puppet form: the /deploy options as fields, read back through the deploy parser."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from commands import parse
from forms import FormErrors, FormOptions, Submission, deploy_form, read_deploy_form
from tests.forms.helpers import NOW, Filled

OPTIONS = FormOptions(environments=["production", "development", "staging"])


def deploy(**fills: Any) -> Filled:
    filled = Filled(deploy_form(environment="production", options=OPTIONS))
    for block_id, value in fills.items():
        filled.set(block_id.replace("__", ":"), value)
    return filled


def read(filled: Filled) -> Submission | FormErrors:
    return read_deploy_form(filled.values, now=NOW, zone=UTC)


def test_the_form_is_valid_and_holds_every_deploy_option() -> None:
    filled = deploy()

    assert set(filled.blocks()) >= {
        "deploy:mode", "deploy:concurrency", "deploy:tags", "deploy:skip_tags",
        "deploy:enforce", "deploy:agent", "deploy:ordering", "deploy:filetimeout",
        "deploy:http_connect_timeout", "deploy:http_keepalive_timeout", "deploy:http_read_timeout",
        "opt:description", "opt:at", "opt:every", "target:nodes",
    }  # fmt: skip
    assert filled.view["callback_id"] == "form_deploy"
    agent = filled.block("deploy:agent")["element"]
    assert len(agent["options"]) == 5  # checkboxes hold at most 10


def test_the_defaults_read_back_as_a_plain_deploy() -> None:
    result = read(deploy(target__nodes="web01.example.com"))

    assert isinstance(result, Submission), result
    assert result.intent == parse("deploy", "production --nodes web01.example.com")


def test_every_option_reads_back_as_the_command_would_take_it() -> None:
    filled = deploy(
        ctx__environment="staging",
        target__query="inventory[certname] { facts.os.family = 'RedHat' }",
        deploy__mode="noop",
        deploy__concurrency=5,
        deploy__tags="ntp, profile::web",
        deploy__skip_tags="ssh",
        deploy__enforce="own",
        deploy__agent=["debug", "evaltrace"],
        deploy__ordering="random",
        deploy__http_read_timeout=30,
        opt__description="weekly run",
    )

    result = read(filled)

    assert isinstance(result, Submission), result
    typed = (
        "staging --query \"inventory[certname] { facts.os.family = 'RedHat' }\" --noop "
        "--concurrency 5 --tags ntp,profile::web --skip-tags ssh --no-enforce-environment "
        "--debug --evaltrace --ordering random --http-read-timeout 30 --description 'weekly run'"
    )
    assert result.intent == parse("deploy", typed)
    assert parse("deploy", result.command.removeprefix("/deploy ")) == result.intent


def test_a_bad_tag_is_an_inline_error_on_the_tags_field() -> None:
    result = read(deploy(target__nodes="web01.example.com", deploy__tags="ntp, -bad"))

    assert isinstance(result, FormErrors)
    assert (
        list(result.errors) == ["deploy:tags"]
        and "not a Puppet tag" in result.errors["deploy:tags"]
    )


def test_no_target_or_no_channel_is_refused() -> None:
    filled = Filled(deploy_form(environment="production"), channel=None)

    result = read(filled)

    assert isinstance(result, FormErrors)
    assert set(result.errors) == {"ctx:channel", "target:nodes"}
