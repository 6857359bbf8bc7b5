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
    assert sorted(events) == sorted(EVENTS)
