"""`bot.py`: every configuration problem, whichever subcommand meets it, is one line and exit 2.

Each case runs `bot.py` as the operator would (a subprocess in an empty directory, with only the
environment given), so what is checked is exactly what they see: no traceback, one line.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from standins.slack import FakeSlack

ROOT = Path(__file__).resolve().parent.parent
# Enough for `bot.py run` to get as far as building the bot, offline: a loopback orchestrator
# (plain http is allowed there) that is never called, and logging quiet below ERROR so stderr
# holds only what the operator must read.
RUN_ENV = {
    "SLACK_BOT_TOKEN": "xoxb-1-test",
    "SLACK_SIGNING_SECRET": "s3cret",
    "SLACK_API_URL": "http://127.0.0.1:9/api/",
    "PE_ORCHESTRATOR_URL": "http://127.0.0.1:9",
    "PE_RBAC_TOKEN": "tok",
    "LOG_LEVEL": "ERROR",
}
TELNET_PROFILE = (
    '[profile.win]\nhosts = ["*.win.example.com"]\ntransport = "telnet"\n'
    'user = "deploy"\npassword-env = "WIN_PASSWORD"\n'
)
BAD_POLICY = '[[rule]]\nname = "x"\naction = "run"\naprovers = []\n'


def bot(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        env={"PATH": "/usr/bin:/bin", **env},
    )


def one_configuration_error(result: subprocess.CompletedProcess) -> str:
    """The one line the operator reads; fails on a traceback, a second line or another code."""
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert len(lines) == 1 and lines[0].startswith("configuration error: "), result.stderr
    return lines[0].removeprefix("configuration error: ")


@pytest.mark.parametrize(
    "files, env, expected",
    [
        (
            {"connections.toml": TELNET_PROFILE},
            {},
            "connections.toml: profile 'win': transport must be ssh or winrm",
        ),
        (
            {"connections.toml": "[profile.win\n"},
            {},
            "connections.toml: TOML syntax:",
        ),
        ({"policy.toml": BAD_POLICY}, {}, "policy.toml line 4: "),
        ({}, {"POLICY_FILE": "missing.toml"}, "missing.toml: POLICY_FILE names this file"),
        ({}, {"POLL_INTERVAL": "often"}, "POLL_INTERVAL='often' is not a number: "),
        ({}, {"SLACK_BOT_TOKEN": ""}, "SLACK_BOT_TOKEN is not set: "),
        (
            {},
            {"PE_ORCHESTRATOR_URL": "https://puppet.example.com:8143"},
            "PE_CA_CERT must name the PE CA certificate",
        ),
        (
            {},
            {"PE_ORCHESTRATOR_URL": "http://puppet.example.com:8143"},
            "PE_ORCHESTRATOR_URL must be https://<primary>:<port>",
        ),
        ({}, {"PE_RBAC_TOKEN": "", "PE_RBAC_TOKEN_FILE": "nope"}, "PE_RBAC_TOKEN_FILE: "),
    ],
    ids=[
        "telnet-profile",
        "profile-syntax",
        "policy-line",
        "policy-missing",
        "bad-number",
        "missing-token",
        "tls-without-ca",
        "plain-http",
        "token-file",
    ],
)
def test_run_stops_on_a_configuration_problem_with_one_line(
    tmp_path: Path, files: dict[str, str], env: dict[str, str], expected: str
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = bot("run", cwd=tmp_path, env={**RUN_ENV, **env})
    assert one_configuration_error(result).startswith(expected)


def test_run_stops_when_slack_refuses_the_bot_token(tmp_path: Path) -> None:
    with FakeSlack("xoxb-the-real-one") as slack:
        env = {**RUN_ENV, "SLACK_API_URL": slack.api_url, "SLACK_BOT_TOKEN": "xoxb-revoked"}
        result = bot("run", cwd=tmp_path, env=env)
    message = one_configuration_error(result)
    assert message.startswith("SLACK_BOT_TOKEN: Slack refused it (invalid_auth)")
    assert "xoxb-revoked" not in result.stderr


def test_run_with_socket_mode_forced_needs_an_app_token(tmp_path: Path) -> None:
    result = bot("run", "--mode", "socket", cwd=tmp_path, env=RUN_ENV)
    assert one_configuration_error(result).startswith("SLACK_APP_TOKEN is not set")


@pytest.mark.parametrize(
    "files, env, expected",
    [
        ({"policy.toml": BAD_POLICY}, {}, "policy.toml line 4: "),
        ({}, {"PE_TIMEOUT": "soon"}, "PE_TIMEOUT='soon' is not a number: "),
        ({}, {"PE_ORCHESTRATOR_URL": "puppet:8143"}, "PE_ORCHESTRATOR_URL='puppet:8143' is not"),
    ],
    ids=["policy-line", "bad-number", "bad-url"],
)
def test_policy_check_stops_on_a_configuration_problem_with_one_line(
    tmp_path: Path, files: dict[str, str], env: dict[str, str], expected: str
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = bot(
        "policy", "check", "/deploy production --nodes a", "--as", "U1", cwd=tmp_path, env=env
    )
    assert one_configuration_error(result).startswith(expected)


def test_audit_stops_on_a_bad_setting_with_one_line(tmp_path: Path) -> None:
    result = bot("audit", cwd=tmp_path, env={"LOG_LEVEL": "LOUD"})
    assert one_configuration_error(result).startswith("LOG_LEVEL='LOUD': ")


def test_the_demo_stops_on_a_bad_policy_file_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "policy.toml").write_text(BAD_POLICY, encoding="utf-8")
    result = bot("demo", cwd=tmp_path, env={"POLICY_FILE": "policy.toml"})
    # The demo logs its warnings (the simulator is plain http) to stderr before the error.
    last = result.stderr.strip().splitlines()[-1]
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert last.startswith("configuration error: policy.toml line 4: ")


def test_every_configuration_problem_is_one_exception_type() -> None:
    from config import ConfigError
    from flows.profiles import ProfileError, ProfileFileError
    from identity.vault import VaultKeyError
    from orchestrator.connection import ConnectionSettingsError
    from policy import PolicyError
    from runtime.slackapp import SlackTokenRefused

    for error in (
        PolicyError,
        ProfileFileError,
        ConnectionSettingsError,
        VaultKeyError,
        SlackTokenRefused,
    ):
        assert issubclass(error, ConfigError), error
    # A request naming a profile that is not there is the requester's mistake, answered in
    # Slack; only a file that cannot be used stops the bot.
    assert not issubclass(ProfileError, ConfigError)
