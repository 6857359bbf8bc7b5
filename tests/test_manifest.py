"""The Slack app manifest: valid for Slack, and in step with what the bot registers."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

from commands.usage import usage
from flows import pe_views
from handlers.commands import COMMANDS
from handlers.pe import PE_COMMAND

ROOT = Path(__file__).resolve().parent.parent
# Slack's published schema (slackapi/manifest-schema, MIT licence), vendored for offline tests.
SCHEMA = ROOT / "tests" / "data" / "slack-app-manifest.schema.json"


def manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def test_manifest_validates_against_slacks_schema() -> None:
    jsonschema.validate(manifest(), json.loads(SCHEMA.read_text()))


def test_every_manifest_command_is_registered_and_has_help() -> None:
    declared = [c["command"] for c in manifest()["features"]["slash_commands"]]
    assert sorted(declared) == sorted((*COMMANDS, PE_COMMAND))
    for command in COMMANDS:
        assert usage(command).examples
    assert "/pe login" in pe_views.USAGE  # /pe answers its own help (flows/pe_views.py)


def test_the_scopes_cover_what_the_bot_calls() -> None:
    scopes = set(manifest()["oauth_config"]["scopes"]["bot"])
    assert {
        "commands",
        "chat:write",
        "channels:history",
        "groups:history",
        "usergroups:read",
        # conversations.info, for the membership check before anything reaches PE
        "channels:read",
        "groups:read",
        "im:read",
        "mpim:read",
    } <= scopes
    assert manifest()["settings"]["interactivity"]["is_enabled"] is True


def test_the_membership_events_the_bot_listens_to_are_subscribed() -> None:
    from handlers.membership import EVENTS

    events = manifest()["settings"]["event_subscriptions"]["bot_events"]
    assert sorted(events) == sorted([*EVENTS, "app_home_opened"])


def test_the_shortcuts_and_the_home_tab_are_declared() -> None:
    from handlers.forms import SHORTCUTS

    declared = {s["callback_id"]: s for s in manifest()["features"]["shortcuts"]}
    assert sorted(declared) == sorted(SHORTCUTS)
    assert all(s["type"] == "global" for s in declared.values())
    assert [s["name"] for s in declared.values()] == ["Run a task…", "Run a plan…", "Run Puppet…"]
    assert manifest()["features"]["app_home"]["home_tab_enabled"] is True


def test_the_http_mode_variant_with_the_options_url_validates() -> None:
    """HTTP mode (the manifest's header): Slack sends block_suggestion for the forms'
    type-ahead to the interactivity's `message_menu_options_url`."""
    url = "https://chatops.example.com/slack/events"
    http = manifest()
    http["settings"]["socket_mode_enabled"] = False
    http["settings"]["interactivity"]["request_url"] = url
    http["settings"]["interactivity"]["message_menu_options_url"] = url
    http["settings"]["event_subscriptions"]["request_url"] = url
    for command in http["features"]["slash_commands"]:
        command["url"] = url
    jsonschema.validate(http, json.loads(SCHEMA.read_text()))
    text = (ROOT / "manifest.yml").read_text()
    assert "message_menu_options_url" in text  # the header tells admins to set it
