"""/health and the Socket Mode log line report the Slack budget and what waits to be sent."""

from __future__ import annotations

from pathlib import Path

from runtime.health import Health, health_line
from tests.support.harness import Harness, close_harness, make_harness


def test_the_report_shows_calls_against_limits_and_the_queue(harness: Harness) -> None:
    harness.command("/deploy production --nodes web01.example.com,web02.example.com --noop")
    queued = Health(harness.bot).report()["slack"]["queue"]
    assert queued["posts"] == 1  # the card, queued at launch and not yet sent
    harness.clock.advance(0.5)
    assert Health(harness.bot).report()["slack"]["queue"]["oldest_post_s"] == 0.5
    harness.run_until_quiet()
    report = Health(harness.bot).report()
    slack = report["slack"]
    assert slack["queue"] == {"posts": 0, "cards": 0, "oldest_post_s": 0.0}
    assert slack["calls"]["chat.postMessage"]["limit_per_minute"] == 300
    assert slack["calls"]["chat.update"]["limit_per_minute"] == 50
    assert slack["calls"]["chat.update"]["calls_last_minute"] >= 1
    line = health_line(report)
    assert "chat.update" in line and "/50 a min" in line
    assert "queue: 0 posts, 0 cards behind" in line


def test_a_call_that_cannot_wait_goes_first_and_is_counted(tmp_path: Path) -> None:
    """views.open holds a trigger_id that lives 3 s: it is made at once, through the budget."""
    h = make_harness(tmp_path, policy=None)
    try:
        h.command("/deploy production --nodes web01.example.com")
        h.tick(1.5)
        (card,) = h.slack.messages("C0DEPLOYS")
        value = next(
            e["value"]
            for b in card.blocks or []
            if b["type"] == "actions"
            for e in b["elements"]
            if e["action_id"] == "approval_reject"
        )
        h.click("approval_reject", value, user="U0BOB", message_ts=card.ts)
        assert len(h.slack.views()) == 1
        calls = Health(h.bot).report()["slack"]["calls"]
        assert calls["views.open"]["calls_last_minute"] == 1
        assert calls["views.open"]["limit_per_minute"] == 100
    finally:
        close_harness(h)
