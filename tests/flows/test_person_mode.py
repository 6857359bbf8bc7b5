"""Person mode (PE_IDENTITY=person) over real HTTP: the simulator's RBAC and orchestrator, the
fake Slack's modals, a real SQLite store. Commands run as the person who asked for them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from standins.slack.requests import block_actions
from store import audit
from tests.flows.person_support import (
    APPROVE_TASKS,
    ack_text,
    pe,
    person_harness,
    sign_in,
    stored,
    submit_form,
)
from tests.flows.test_approvals import approve
from tests.support.harness import Harness, close_harness, make_harness, signed

DEPLOY = "/deploy production --nodes web01.example.com --noop"
TASK = "/task package action=status name=openssl --nodes web01.example.com"


@pytest.fixture
def make(tmp_path: Path) -> Iterator:
    made: list[Harness] = []

    def build(**kwargs) -> Harness:
        h = person_harness(tmp_path, **kwargs)
        made.append(h)
        return h

    yield build
    for h in made:
        close_harness(h)


def commands_sent(h: Harness, suffix: str) -> list[dict]:
    return [r for r in h.sim_requests if r["path"].endswith(suffix) and r["method"] == "POST"]


def test_an_unsigned_person_gets_a_sign_in_button_and_nothing_runs(make) -> None:
    h = make()
    h.command(DEPLOY)
    answer = h.responses()[-1]
    assert "Sign in to PE" in json.dumps(answer.blocks)
    assert "pe_sign_in" in json.dumps(answer.blocks)
    assert not commands_sent(h, "/command/deploy")
    assert h.store.db.execute("SELECT count(*) FROM requests").fetchone()[0] == 0


def test_sign_in_through_the_modal_then_the_job_is_the_persons(make) -> None:
    h = make()
    said = sign_in(h, "U0ALICE", "operator", "operator-password")
    assert "Signed in to PE as *operator*" in said
    row = stored(h, "U0ALICE")
    assert row is not None and row.login == "operator" and row.origin == "bot"
    login_calls = [r for r in h.sim_requests if r["path"].endswith("/v1/auth/token")]
    assert login_calls[0]["body"]["lifetime"] == "12h" and login_calls[0]["body"]["label"]
    token = next(r for r in h.sim_requests if r["path"].endswith("/authenticate"))["body"]["token"]
    assert token not in row.secret  # encrypted at rest
    h.command(DEPLOY)
    sent = commands_sent(h, "/command/deploy")
    assert len(sent) == 1 and sent[0]["token"] == token
    job = h.bot.deps.orchestrator.job(h.store.db.execute("SELECT name FROM jobs").fetchone()[0])
    assert job.owner == "operator"
    request = h.store.db.execute("SELECT pe_mode, pe_login FROM requests").fetchone()
    assert tuple(request) == ("person", "operator")
    signed_in = [a for a in audit.since(h.store.db, 0) if a["action"] == "pe_sign_in"]
    assert signed_in[0]["actor"] == "U0ALICE" and signed_in[0]["detail"] == {"pe_login": "operator"}
    logged = [a for a in audit.since(h.store.db, 0) if a["action"] == "request"]
    assert logged[0]["detail"]["pe_login"] == "operator"


def test_the_form_refuses_both_a_password_and_a_token(make) -> None:
    h = make()
    pe(h, "login", user="U0ALICE")
    view = h.slack.open_modal("U0ALICE")
    assert "VISIBLE while typed" in json.dumps(view.view)
    answer = submit_form(
        h, "U0ALICE", pe_user="operator", pe_password="operator-password", pe_token="abc"
    )
    assert answer["response_action"] == "errors" and "not both" in answer["errors"]["pe_token"]
    assert not [r for r in h.sim_requests if "/rbac-api/" in r["path"]]


def test_a_token_typed_after_pe_is_refused_and_kept_nowhere(make) -> None:
    h = make()
    secret = "0VZZ6geJQK5yAKt5GZmMvbfQxq2ZVSQ9P8sBvi0jpkEi"
    response = pe(h, f"login {secret}")
    text = ack_text(response)
    assert "never takes a secret" in text and secret not in text
    inbox_rows = h.store.inbox_db.execute("SELECT * FROM inbox").fetchall()
    assert secret not in json.dumps([tuple(r) for r in inbox_rows])
    assert not [r for r in h.sim_requests if "/rbac-api/" in r["path"]]


def test_a_pasted_token_is_checked_kept_and_only_forgotten_on_logout(make) -> None:
    h = make()
    pe(h, "login", user="U0CAROL")
    submit_form(h, "U0CAROL", pe_token="viewer-token")
    row = stored(h, "U0CAROL")
    assert row is not None and row.login == "viewer" and row.origin == "pasted"
    pe(h, "whoami", user="U0CAROL")
    assert "*viewer*" in h.last_response_text()
    pe(h, "logout", user="U0CAROL")
    said = h.last_response_text()
    assert "not revoked" in said and stored(h, "U0CAROL") is None
    assert not [r for r in h.sim_requests if r["method"] == "DELETE"]


def test_whoami_and_logout_revoke_a_token_the_bot_made(make) -> None:
    h = make()
    sign_in(h, "U0ALICE", "operator", "operator-password")
    pe(h, "whoami")
    assert "*operator*" in h.last_response_text() and "expires" in h.last_response_text()
    pe(h, "logout")
    assert "revoked" in h.last_response_text() and stored(h, "U0ALICE") is None
    deletes = [r for r in h.sim_requests if r["method"] == "DELETE"]
    assert deletes and deletes[0]["path"].endswith("/rbac-api/v2/tokens")
    assert deletes[0]["body"]["revoke_tokens"] and "token" not in deletes[0]["query"]
    h.command(DEPLOY)
    assert "Sign in to PE" in json.dumps(h.responses()[-1].blocks)


def test_signing_in_again_revokes_the_previous_bot_token(make) -> None:
    h = make()
    sign_in(h, "U0ALICE", "operator", "operator-password")
    first = [r for r in h.sim_requests if r["path"].endswith("/authenticate")][0]["body"]["token"]
    sign_in(h, "U0ALICE", "operator", "operator-password")
    deletes = [r for r in h.sim_requests if r["method"] == "DELETE"]
    assert [d["body"]["revoke_tokens"] for d in deletes] == [[first]]


def test_a_plan_pe_forbids_is_refused_before_approval(make) -> None:
    h = make(policy=APPROVE_TASKS)
    sign_in(h, "U0ALICE", "operator", "operator-password")
    h.command("/plan example_plan message=hello targets=web01.example.com")
    said = h.last_response_text()
    assert "PE says operator may not run plan" in said
    assert not commands_sent(h, "/command/plan_run")
    assert h.store.db.execute("SELECT count(*) FROM approvals").fetchone()[0] == 0
    refused = [a for a in audit.since(h.store.db, 0) if a["action"] == "refused_by_pe"]
    assert refused and refused[0]["detail"]["pe_login"] == "operator"


def test_an_approved_run_runs_as_the_requester_not_the_approver(make) -> None:
    h = make(policy=APPROVE_TASKS)
    sign_in(h, "U0ALICE", "operator", "operator-password")
    sign_in(h, "U0BOB", "admin", "admin-password")
    alice = stored(h, "U0ALICE")
    h.command(TASK)
    assert not commands_sent(h, "/command/task")
    approve(h, "U0BOB")
    sent = commands_sent(h, "/command/task")
    assert len(sent) == 1
    tokens = {r["body"]["token"]: r for r in h.sim_requests if r["path"].endswith("/authenticate")}
    alice_token = next(t for t in tokens if h.bot.deps.people.vault.decrypt(alice.secret) == t)
    assert sent[0]["token"] == alice_token
    votes = [a for a in audit.since(h.store.db, 0) if a["action"] == "approval_vote"]
    assert votes[0]["actor"] == "U0BOB" and votes[0]["detail"] == {"pe_login": "admin"}
    launch = [a for a in audit.since(h.store.db, 0) if a["action"] == "launch"]
    assert launch[0]["detail"] == {"pe_login": "operator"}


def test_pe_refusing_after_approval_names_the_pe_user(make) -> None:
    h = make(policy=APPROVE_TASKS)
    sign_in(h, "U0CAROL", "viewer", "viewer-password")
    h.command(TASK, user="U0CAROL")
    approve(h, "U0BOB")
    assert "PE says viewer may not run task `package`" in h.last_response_text()
    h.tick(1.5)
    card = h.slack.messages("C0DEPLOYS")[-1]
    assert "PE says viewer may not run task" in json.dumps(card.blocks)


def test_a_token_expired_while_waiting_asks_again_and_runs_after_sign_in(make) -> None:
    h = make(policy=APPROVE_TASKS, lifetime="1h")
    sign_in(h, "U0ALICE", "operator", "operator-password")
    h.command(TASK)
    h.clock.advance(2 * 3600)
    approve(h, "U0BOB")
    assert not commands_sent(h, "/command/task")
    # Two hours on, the response_url is stale: the answer comes as an ephemeral message.
    assert "Sign in to PE" in json.dumps(h.slack.ephemerals("U0ALICE")[-1].blocks)
    assert stored(h, "U0ALICE") is None
    state = h.store.db.execute("SELECT state FROM requests").fetchone()[0]
    assert state == "approved"
    sign_in(h, "U0ALICE", "operator", "operator-password")
    assert len(commands_sent(h, "/command/task")) == 1


def test_signing_in_as_someone_else_voids_the_approval(make) -> None:
    h = make(policy=APPROVE_TASKS, lifetime="1h")
    sign_in(h, "U0ALICE", "operator", "operator-password")
    h.command(TASK)
    h.clock.advance(2 * 3600)
    approve(h, "U0BOB")
    sign_in(h, "U0ALICE", "admin", "admin-password")
    assert not commands_sent(h, "/command/task")
    row = h.store.db.execute("SELECT state, error FROM requests").fetchone()
    assert row[0] == "failed" and "void" in row[1]


def test_failed_sign_ins_stop_before_they_could_lock_a_colleague_out(make) -> None:
    h = make()
    for _ in range(3):
        said = sign_in(h, "U0MALLORY", "operator", "wrong")
        assert "did not accept" in said
    said = sign_in(h, "U0MALLORY", "operator", "wrong")
    assert "Too many failed sign-ins" in said
    logins = [r for r in h.sim_requests if r["path"].endswith("/v1/auth/token")]
    assert len(logins) == 3  # PE saw 3 of its 10
    said = sign_in(h, "U0ALICE", "operator", "operator-password")
    assert "Too many failed sign-ins to `operator`" in said


def test_pe_in_service_mode_says_there_is_nothing_to_sign_in_to(tmp_path: Path) -> None:
    h = make_harness(tmp_path)
    try:
        response = pe(h, "login")
        assert "PE_IDENTITY=service" in ack_text(response)
        h.command(DEPLOY)
        assert commands_sent(h, "/command/deploy")[0]["token"] == "demo-token"
    finally:
        close_harness(h)


def test_the_sign_in_button_opens_the_form(make) -> None:
    h = make()
    h.command(DEPLOY)  # not signed in: answered with the button
    url = h.slack.new_response_url(channel="C0DEPLOYS", user="U0ALICE")
    trigger = h.slack.new_trigger_id(user="U0ALICE", channel="C0DEPLOYS")
    body = block_actions(
        "pe_sign_in",
        "login",
        user_id="U0ALICE",
        channel_id="C0DEPLOYS",
        message_ts="0",
        response_url=url,
        trigger_id=trigger,
    )
    h.bot.app.dispatch(signed(body))
    view = h.slack.open_modal("U0ALICE")
    assert view is not None and view.view["callback_id"] == "pe_login"
    submit_form(h, "U0ALICE", pe_user="operator", pe_password="operator-password")
    assert "Signed in to PE as *operator*" in h.slack.ephemerals("U0ALICE")[-1].text


def test_a_token_revoked_in_pe_is_forgotten_and_the_person_asked_again(make) -> None:
    h = make()
    sign_in(h, "U0ALICE", "operator", "operator-password")
    token = h.bot.deps.people.vault.decrypt(stored(h, "U0ALICE").secret)
    h.bot.deps.people.rbac.revoke(token)  # revoked elsewhere (the console, puppet access)
    h.command(DEPLOY)
    assert "was revoked" in h.responses()[-1].text
    assert "Sign in to PE" in json.dumps(h.responses()[-1].blocks)
    assert stored(h, "U0ALICE") is None and not commands_sent(h, "/command/deploy")


def test_an_approval_that_expired_while_waiting_for_sign_in_does_not_run(make) -> None:
    h = make(policy=APPROVE_TASKS, lifetime="1h")
    sign_in(h, "U0ALICE", "operator", "operator-password")
    h.command(TASK)
    h.clock.advance(2 * 3600)
    approve(h, "U0BOB")
    h.clock.advance(3 * 3600)  # the approval's 4h expiry has passed
    sign_in(h, "U0ALICE", "operator", "operator-password")
    assert not commands_sent(h, "/command/task")
    row = h.store.db.execute("SELECT state, error FROM requests").fetchone()
    assert row[0] == "failed" and "expired" in row[1]
