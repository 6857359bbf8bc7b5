"""Connection profiles: the hosts a profile's secrets may reach, and failures said plainly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from flows.profiles import ProfileError, bare_dns_name, host_matches, load_profiles
from tests.support.harness import Harness

ROOT = Path(__file__).resolve().parents[2]
WIN = (
    '[profile.win]\nhosts = ["*.win.example.com", "jump.example.com"]\ntransport = "winrm"\n'
    'user = "Administrator"\npassword-env = "G10_WINRM_PASSWORD"\n'
)


@pytest.mark.parametrize(
    "host, allowed",
    [
        ("web01.win.example.com", True),
        ("WEB01.Win.Example.COM", True),
        ("jump.example.com", True),
        ("win.example.com", False),
        ("a.b.win.example.com", False),
        ("web01.win.example.com.evil.net", False),
        ("attacker-host", False),
        ("jump.example.com.", False),
    ],
)
def test_a_star_matches_exactly_one_label(host: str, allowed: bool) -> None:
    patterns = ["*.win.example.com", "jump.example.com"]
    assert any(host_matches(host, p) for p in patterns) is allowed


@pytest.mark.parametrize(
    "name, bare",
    [
        ("web01.example.com", True),
        ("user@web01.example.com", False),
        ("web01.example.com:5986", False),
        ("https://web01.example.com", False),
        ("web01.example.com/x", False),
        ("-web.example.com", False),
        ("web_01.example.com", False),
        ("", False),
    ],
)
def test_targets_are_bare_dns_names(name: str, bare: bool) -> None:
    assert bare_dns_name(name) is bare


def test_a_target_outside_the_hosts_is_refused_before_any_secret_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "c.toml").write_text(WIN)
    profiles = load_profiles(str(tmp_path / "c.toml"))
    monkeypatch.delenv("G10_WINRM_PASSWORD", raising=False)  # reading it would fail loudly
    with pytest.raises(ProfileError, match="not among the hosts profile 'win' may reach"):
        profiles.targets("win", {"nodes": ["web01.win.example.com", "attacker-host"]})
    monkeypatch.setenv("G10_WINRM_PASSWORD", "pw")
    (target,) = profiles.targets("win", {"nodes": ["web01.win.example.com"]})
    assert target["password"] == "pw" and target["hostnames"] == ["web01.win.example.com"]


@pytest.mark.parametrize(
    "text, words",
    [
        ('[profile.x]\ntransport = "ssh"\nuser = "u"\nprivate-key-env = "K"\n', "has no hosts"),
        ('[profile.x]\nhosts = ["*.*.com:22"]\ntransport = "ssh"\nuser = "u"\n', "not a DNS name"),
        ("[profile.x\n", "TOML syntax"),
        ('profile = "x"\n', "write each profile as a"),
    ],
)
def test_a_bad_connections_file_is_one_clear_error(tmp_path: Path, text: str, words: str) -> None:
    (tmp_path / "c.toml").write_text(text)
    with pytest.raises(ProfileError, match=words) as caught:
        load_profiles(str(tmp_path / "c.toml"))
    assert "\n" not in str(caught.value) and "c.toml" in str(caught.value)


def test_the_bot_stops_at_start_with_one_line_for_a_bad_connections_file(tmp_path: Path) -> None:
    (tmp_path / "connections.toml").write_text('[profile.open]\ntransport = "ssh"\n')
    env = {
        "PATH": "/usr/bin:/bin",
        "SLACK_BOT_TOKEN": "xoxb-x",
        "SLACK_SIGNING_SECRET": "s",
        "PE_ORCHESTRATOR_URL": "http://127.0.0.1:9",
        "PE_RBAC_TOKEN": "t",
        "DATABASE_PATH": str(tmp_path / "bot.db"),
        "CONNECTIONS_FILE": str(tmp_path / "connections.toml"),
    }
    result = subprocess.run([sys.executable, str(ROOT / "bot.py"), "run"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    errors = [ln for ln in result.stderr.splitlines() if "WARNING" not in ln]
    assert result.returncode == 2
    assert errors == [errors[0]] and "configuration error" in errors[0] and "'open'" in errors[0]
    assert "Traceback" not in result.stderr


def test_a_missing_key_file_fails_the_request_and_says_why(harness: Harness) -> None:
    (harness.tmp / "connections.toml").write_text(
        '[profile.linux]\nhosts = ["*.example.com"]\ntransport = "ssh"\nuser = "deploy"\n'
        f'private-key-file = "{harness.tmp / "gone"}"\n'
    )
    object.__setattr__(
        harness.bot.deps, "profiles", load_profiles(str(harness.tmp / "connections.toml"))
    )
    harness.command("/task facts --nodes sshnode1.example.com --via linux")
    answer = harness.last_response_text()
    assert "the connection profile cannot be used: cannot read private-key-file" in answer
    state = harness.store.db.execute("SELECT state FROM requests").fetchone()[0]
    assert state == "failed"  # not stuck in launching
    assert harness.requests_seen("/command/task") == []
