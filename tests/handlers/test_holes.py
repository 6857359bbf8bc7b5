"""The smaller holes of the approval gate, each tried the way an attacker or a busy channel
would: a channel the bot is not in, repeated Stop clicks, clicks and modal submissions that
did not come from the bot's own cards and views, and input that used to crash."""

from __future__ import annotations

import json
import time

from slack_bolt import BoltResponse

from standins.slack.requests import signed_headers
from tests.support.harness import SECRET, Harness, block_text, signed


def stop_button(h: Harness) -> tuple[str, str]:
    h.tick()
    card = h.slack.messages("C0DEPLOYS")[-1]
    value = next(
        e["value"] for b in card.blocks if b["type"] == "actions" for e in b["elements"]
        if e["action_id"] == "job_stop"
    )  # fmt: skip
    return value, card.ts


def event(h: Harness, kind: str, channel: str) -> BoltResponse:
    body = json.dumps(
        {
            "token": "x",
            "team_id": "T0TEAM",
            "api_app_id": "A0APP",
            "type": "event_callback",
            "event_id": f"Ev{time.time_ns()}",
            "event_time": int(time.time()),
            "event": {"type": kind, "user": "U0BOT", "channel": channel, "team": "T0TEAM"},
        }
    ).encode()
    headers = {**signed_headers(body, SECRET), "content-type": "application/json"}
    from tests.support.harness import bolt_request

    return h.bot.app.dispatch(bolt_request(body.decode(), headers))


def test_a_command_from_a_channel_the_bot_is_not_in_is_refused_before_pe(harness: Harness) -> None:
    harness.command("/task package action=status name=x --nodes web09.example.com",
                    channel="C0OUTSIDE")  # fmt: skip
    answer = harness.last_response_text()
    assert "Invite me to this channel first" in answer and "/invite @pe-bot" in answer
    assert harness.sim_requests == []  # not even the task's metadata was read
    assert harness.store.db.execute("SELECT count(*) FROM requests").fetchone()[0] == 0


def test_a_membership_event_makes_the_bot_ask_again(harness: Harness) -> None:
    harness.command("/deploy production --nodes web09.example.com", channel="C0OUTSIDE")
    assert "Invite me" in harness.last_response_text()
    harness.slack.add_channel("C0OUTSIDE", "outside", bot_is_member=True)  # /invite @pe-bot
    assert event(harness, "member_joined_channel", "C0OUTSIDE").status == 200
    harness.command("/deploy production --nodes web09.example.com", channel="C0OUTSIDE")
    assert "started as job" in harness.last_response_text()


def test_six_stop_clicks_send_one_stop_and_name_who_asked(harness: Harness) -> None:
    harness.command("/deploy production --nodes web01.example.com,web02.example.com --noop "
                    "--concurrency 1")  # fmt: skip
    value, ts = stop_button(harness)
    users = ["U0ALICE", "U0BOB", "U0CAROL", "U0BOB", "U0DAVE", "U0ERIN"]
    for user in users:
        harness.click("job_stop", value, user=user, message_ts=ts)
    assert harness.requests_seen("/command/stop") == [{"job": "1"}]
    told = [r for r in harness.responses()[-5:]]
    assert all("<@U0ALICE> already asked to stop job 1" in block_text(r.blocks) for r in told)
    harness.command("/stop 1", user="U0ALICE")
    assert "You already asked to stop job 1" in harness.last_response_text()
    harness.run_until_quiet()
    notes = [m for m in harness.slack.thread("C0DEPLOYS", ts)[1:] if "Stop requested" in m.text]
    assert len(notes) == 1


def test_a_click_from_another_channel_than_its_card_is_refused(harness: Harness) -> None:
    harness.command("/deploy production --nodes web01.example.com,web02.example.com --noop "
                    "--concurrency 1")  # fmt: skip
    value, ts = stop_button(harness)
    harness.click("job_stop", value, user="U0BOB", channel="C0GENERAL", message_ts=ts)
    assert harness.requests_seen("/command/stop") == []
    assert "not known here" in harness.last_response_text()


def test_an_approve_click_from_another_channel_is_refused(tmp_path) -> None:
    from tests.support.harness import close_harness, make_harness

    h = make_harness(tmp_path, policy=None)
    try:
        h.command("/deploy production --nodes web01.example.com")
        approval_id = h.store.db.execute("SELECT id FROM approvals").fetchone()[0]
        h.click("approval_approve", approval_id, user="U0BOB", channel="C0GENERAL")
        assert "did not come from this approval's card" in h.last_response_text()
        assert h.requests_seen("/command/deploy") == []
        h.click("approval_approve", approval_id, user="U0BOB")
        assert len(h.requests_seen("/command/deploy")) == 1
    finally:
        close_harness(h)


def test_a_modal_submission_for_a_view_the_bot_never_opened_is_refused(tmp_path) -> None:
    from tests.support.harness import close_harness, make_harness

    h = make_harness(tmp_path, policy=None)
    try:
        h.command("/deploy production --nodes web01.example.com")
        approval_id = h.store.db.execute("SELECT id FROM approvals").fetchone()[0]
        meta = json.dumps({"approval": approval_id, "channel": "C0DEPLOYS"})
        h.submit_view("approval_reject_reason", meta, {"reason": {"reason_text": "no"}},
                      user="U0BOB", view_id="V0FORGED")  # fmt: skip
        assert h.store.db.execute("SELECT state FROM approvals").fetchone()[0] == "pending"
        # Bob opens the modal for real; Carol submits Bob's view: refused too.
        h.click("approval_reject", approval_id, user="U0BOB")
        (view,) = h.slack.views()
        h.submit_view("approval_reject_reason", meta, {"reason": {"reason_text": "no"}},
                      user="U0CAROL", view_id=view.id)  # fmt: skip
        assert h.store.db.execute("SELECT state FROM approvals").fetchone()[0] == "pending"
        h.submit_view("approval_reject_reason", "{}", {"reason": {"reason_text": "freeze"}},
                      user="U0BOB", view_id=view.id)  # fmt: skip
        assert h.store.db.execute("SELECT state, reason FROM approvals").fetchone()[:] == (
            "rejected",
            "freeze",
        )
    finally:
        close_harness(h)


def test_a_huge_job_id_and_deeply_nested_userdata_are_usage_errors(harness: Harness) -> None:
    stop = harness.command("/stop " + "9" * 2500)
    assert "ids are at most 18 digits" in stop.body
    nested = '{"a":' * 900 + "1" + "}" * 900
    deploy = harness.command(f"/deploy production --nodes web01.example.com --userdata '{nested}'")
    assert "nested more than 32 levels" in deploy.body
    assert harness.sim_requests == []


def test_signed_events_need_the_signature(harness: Harness) -> None:
    body = b'{"type":"event_callback","event":{"type":"channel_left","channel":"C0DEPLOYS"}}'
    forged = harness.bot.app.dispatch(signed(body).__class__(body=body.decode(), headers={}))
    assert forged.status == 401
