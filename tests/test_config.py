"""Settings: validated at start, one line naming the variable and how to get it right."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import config

ROOT = Path(__file__).resolve().parent.parent
GOOD = {
    "SLACK_BOT_TOKEN": "xoxb-1-test",
    "SLACK_SIGNING_SECRET": "s3cret",
    "PE_ORCHESTRATOR_URL": "https://puppet.example.com:8143",
    "PE_RBAC_TOKEN": "tok",
}


def test_defaults_are_filled_in() -> None:
    settings = config.load(GOOD)
    assert settings.port == 3000 and settings.poll_interval == 5.0
    assert settings.database_path == "./chatops.db" and not settings.socket_mode
    assert settings.slack_api_url == "https://slack.com/api/"


@pytest.mark.parametrize(
    "change, variable",
    [
        ({"SLACK_BOT_TOKEN": ""}, "SLACK_BOT_TOKEN"),
        ({"SLACK_SIGNING_SECRET": ""}, "SLACK_SIGNING_SECRET"),
        ({"PE_ORCHESTRATOR_URL": ""}, "PE_ORCHESTRATOR_URL"),
        ({"PE_ORCHESTRATOR_URL": "puppet:8143"}, "PE_ORCHESTRATOR_URL"),
        ({"PE_RBAC_TOKEN": ""}, "PE_RBAC_TOKEN"),
        ({"POLL_INTERVAL": "often"}, "POLL_INTERVAL"),
        ({"POLL_INTERVAL": "0"}, "POLL_INTERVAL"),
        ({"PORT": "http"}, "PORT"),
        ({"SLACK_APP_TOKEN": "xoxb-wrong"}, "SLACK_APP_TOKEN"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
    ],
)
def test_a_bad_setting_is_named_with_how_to_fix_it(change, variable) -> None:
    with pytest.raises(config.ConfigError) as raised:
        config.load({**GOOD, **change})
    message = str(raised.value)
    assert message.startswith(variable) and ":" in message and "\n" not in message


def test_socket_mode_needs_no_signing_secret() -> None:
    settings = config.load({**GOOD, "SLACK_SIGNING_SECRET": "", "SLACK_APP_TOKEN": "xapp-1-A"})
    assert settings.socket_mode


def test_the_repr_holds_no_secret() -> None:
    text = repr(config.load(GOOD))
    assert "xoxb" not in text and "s3cret" not in text and "tok" not in text


def test_the_environment_wins_over_dotenv(tmp_path, monkeypatch) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("PORT=4000\nPOLL_INTERVAL=9\n")
    monkeypatch.setenv("PORT", "5000")
    env = config.environment(str(env_file))
    assert env["PORT"] == "5000" and env["POLL_INTERVAL"] == "9"


def test_the_bot_stops_with_one_line_naming_the_variable(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), "run"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={
            "PATH": "/usr/bin:/bin",
            "SLACK_SIGNING_SECRET": "x",
            "PE_RBAC_TOKEN": "t",
            "PE_ORCHESTRATOR_URL": "https://pe:8143",
        },
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "configuration error: SLACK_BOT_TOKEN is not set: the bot token (xoxb-...) from your "
        "Slack app's OAuth & Permissions page"
    ]


def test_every_variable_is_in_env_example_and_the_readme() -> None:
    example = (ROOT / ".env.example").read_text()
    readme = (ROOT / "README.md").read_text()
    for var in config.VARIABLES:
        assert re.search(rf"^{var.name}=", example, re.M), f"{var.name} not in .env.example"
        assert f"`{var.name}`" in readme, f"{var.name} not in the README's configuration table"


def test_puppetdb_and_the_classifier_default_to_the_orchestrators_host() -> None:
    settings = config.load(GOOD)
    assert settings.puppetdb_url == "https://puppet.example.com:8081"
    assert settings.pe_classifier_url == "https://puppet.example.com:4433"


def test_resolution_can_be_pointed_elsewhere_or_turned_off() -> None:
    settings = config.load(
        {**GOOD, "PUPPETDB_URL": "https://pdb.example.com:8081/", "PE_CLASSIFIER_URL": "OFF"}
    )
    assert settings.puppetdb_url == "https://pdb.example.com:8081"
    assert settings.pe_classifier_url is None
    assert config.load({**GOOD, "PUPPETDB_URL": "off"}).puppetdb_url is None


@pytest.mark.parametrize(
    "value", ["pdb.example.com:8081", "https://pdb.example.com:8081/pdb/query/v4", "ftp://x"]
)
def test_a_service_url_is_a_base_url(value: str) -> None:
    with pytest.raises(config.ConfigError, match="PUPPETDB_URL"):
        config.load({**GOOD, "PUPPETDB_URL": value})


def test_service_mode_is_the_default_and_rbac_defaults_to_port_4433() -> None:
    settings = config.load(GOOD)
    assert settings.pe_identity == "service" and not settings.person_mode
    assert settings.pe_rbac_url == "https://puppet.example.com:4433"
    assert settings.pe_token_lifetime == "12h"


def test_person_mode_refuses_to_start_without_a_key_naming_the_setting() -> None:
    with pytest.raises(config.ConfigError) as raised:
        config.load({**GOOD, "PE_IDENTITY": "person"})
    message = str(raised.value)
    assert "TOKEN_ENCRYPTION_KEY" in message and "\n" not in message
    settings = config.load(
        {**GOOD, "PE_IDENTITY": "PERSON", "TOKEN_ENCRYPTION_KEY": "key-kept-secret"}
    )
    assert settings.person_mode and "key-kept-secret" not in repr(settings)


@pytest.mark.parametrize(
    "change, variable",
    [
        ({"PE_IDENTITY": "robot"}, "PE_IDENTITY"),
        ({"PE_TOKEN_LIFETIME": "forever"}, "PE_TOKEN_LIFETIME"),
        ({"PE_TOKEN_LIFETIME": "0"}, "PE_TOKEN_LIFETIME"),
        ({"PE_RBAC_URL": "rbac:4433"}, "PE_RBAC_URL"),
    ],
)
def test_identity_settings_are_checked(change, variable) -> None:
    with pytest.raises(config.ConfigError) as raised:
        config.load({**GOOD, **change})
    assert str(raised.value).startswith(variable)
