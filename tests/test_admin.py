"""Operator commands: `bot.py policy check` and `bot.py audit`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import admin
import config

ROOT = Path(__file__).resolve().parent.parent


def run_bot(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", **(env or {})},
    )


def test_policy_check_explains_the_default_for_an_enforcing_production_deploy(tmp_path) -> None:
    result = run_bot(
        "policy",
        "check",
        "/deploy production --nodes web01.example.com",
        "--as",
        "U0ALICE",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "Targets not resolved: PE_ORCHESTRATOR_URL is not set" in result.stdout
    assert "default: enforcing run reaching production*: MATCHES" in result.stdout
    assert "approve" in result.stdout.lower()


def test_policy_check_follows_the_policy_file(tmp_path) -> None:
    (tmp_path / "policy.toml").write_text(
        '[[rule]]\nname = "no prod from here"\ncommands = ["deploy"]\n'
        'environments = ["production"]\naction = "deny"\nreason = "use #prod"\n'
    )
    result = run_bot(
        "policy", "check", "/deploy production --nodes a --noop", "--as", "U1", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "no prod from here" in result.stdout and "use #prod" in result.stdout


def test_policy_check_reports_a_malformed_policy_with_its_line(tmp_path) -> None:
    (tmp_path / "policy.toml").write_text('[[rule]]\nname = "x"\naction = "run"\naprovers = []\n')
    result = run_bot(
        "policy",
        "check",
        "/deploy production --nodes a",
        "--as",
        "U1",
        cwd=tmp_path,
        env={"POLICY_FILE": "policy.toml"},
    )
    assert result.returncode == 2
    assert "line 4" in result.stderr and "aprovers" in result.stderr


def test_policy_check_refuses_unreadable_command_text(tmp_path) -> None:
    result = run_bot("policy", "check", "/deploy production --bogus", "--as", "U1", cwd=tmp_path)
    assert result.returncode == 2 and "--bogus" in result.stderr


@pytest.mark.parametrize("text, seconds", [("90m", 5400), ("36h", 129600), ("7d", 604800)])
def test_since_reads_durations(text: str, seconds: int) -> None:
    assert admin.parse_since(text) == seconds


def test_since_refuses_what_it_cannot_read(tmp_path) -> None:
    result = run_bot("audit", "--since", "a week", cwd=tmp_path)
    assert result.returncode == 2 and "90m, 36h or 7d" in result.stderr


def test_csv_cells_cannot_start_a_spreadsheet_formula() -> None:
    assert admin.csv_cell('=HYPERLINK("http://evil")') == '\'=HYPERLINK("http://evil")'
    for start in ("+", "-", "@", "\t", "\r"):
        assert admin.csv_cell(f"{start}cmd") == f"'{start}cmd"
    assert admin.csv_cell({"a": "=1"}) == '{"a": "=1"}'
    assert admin.csv_cell("plain") == "plain" and admin.csv_cell(12.5) == 12.5


def test_the_audit_csv_quotes_formula_cells(tmp_path) -> None:
    import csv
    import io

    from store import Store, audit

    store = Store(tmp_path / "a.db")
    store.migrate()
    with store.write() as db:
        audit.record(db, now=1000.0, actor="U1", action="request", result="=cmd|' /C calc'!A0")
    store.close()
    out = io.StringIO()
    settings = config.load_offline({"DATABASE_PATH": str(tmp_path / "a.db")})
    assert admin.audit_export(since="7d", fmt="csv", settings=settings, out=out, now=2000.0) == 0
    (row,) = csv.DictReader(io.StringIO(out.getvalue()))
    assert row["result"] == "'=cmd|' /C calc'!A0"


def test_policy_check_resolves_the_targets_and_says_why(tmp_path) -> None:
    from standins.orchestrator import Simulator, default_world, serve

    with serve(Simulator(default_world())) as sim:
        env = {
            "PE_ORCHESTRATOR_URL": sim.url,
            "PE_RBAC_TOKEN": "demo-token",
            "PUPPETDB_URL": sim.url,
            "PE_CLASSIFIER_URL": sim.url,
        }
        text = "/task exec command=x --nodes db01.example.com,web09.example.com -e development"
        result = run_bot("policy", "check", text, "--as", "U0ALICE", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "production (1): db01.example.com" in out and "development (1): web09.example.com" in out
    assert (
        "default: enforcing run reaching production*: MATCHES: command is task; "
        "db01.example.com (production) is in production*; an enforcing run" in out
    )
    assert 'Decision: APPROVE (rule "default: enforcing run reaching production*")' in out


def test_policy_check_judges_a_pe_user_with_pe_users_rules(tmp_path) -> None:
    (tmp_path / "policy.toml").write_text(
        '[[rule]]\nname = "viewers run nothing"\npe_users = ["viewer"]\naction = "deny"\n'
        'reason = "read-only in PE"\n'
    )
    check = ("policy", "check", "/deploy production --nodes a --noop", "--as", "U1")
    as_viewer = run_bot(*check, "--pe-user", "viewer", cwd=tmp_path)
    assert as_viewer.returncode == 0, as_viewer.stderr
    assert "sent as PE user viewer" in as_viewer.stdout
    assert "MATCHES: PE user viewer fits viewer" in as_viewer.stdout
    assert 'DENY (rule "viewers run nothing")' in as_viewer.stdout
    as_service = run_bot(*check, cwd=tmp_path)
    assert "no PE user (the service account sends it)" in as_service.stdout
    assert 'DENY (rule "viewers run nothing")' not in as_service.stdout
