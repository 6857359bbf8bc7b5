"""What people see in the channel as jobs run: the card edited in place, the thread, the summary."""

from __future__ import annotations

from tests.support.harness import Harness, block_text

CHANNEL = "C0DEPLOYS"


def card_and_thread(h: Harness) -> tuple[list[str], list[str]]:
    """Every version of the one card, and the text of each thread reply."""
    (card,) = h.slack.messages(CHANNEL)
    versions = [block_text(v.blocks or []) for v in h.slack.message(CHANNEL, card.ts).versions]
    replies = [block_text(r.blocks or []) for r in h.slack.thread(CHANNEL, card.ts)[1:]]
    return versions, replies


def test_successful_deploy_card_edits_and_one_summary(harness: Harness) -> None:
    harness.command(
        "/deploy production --nodes web01.example.com,web02.example.com,"
        "web04.example.com,web06.example.com --concurrency 1 --noop"
    )
    harness.run_until_quiet()
    versions, replies = card_and_thread(harness)
    # The card is rendered when it is sent, so it may already show the job running.
    assert ("Starting" in versions[0] or "Running" in versions[0]) and "Stop" in versions[0]
    assert "Finished" in versions[-1] and "4/4 nodes done" in versions[-1]
    assert "Stop" not in versions[-1].splitlines()[-1]
    between = versions[1:-1]
    assert any(f"{n}/4 nodes done" in v for v in between for n in (1, 2, 3)), (
        "the card should show progress before the end"
    )
    (summary,) = replies
    assert "4/4 nodes succeeded" in summary and "Duration" in summary


def test_partial_failure_and_unreachable_nodes_reach_the_thread(harness: Harness) -> None:
    harness.command(
        "/deploy production --nodes web01.example.com,web07.example.com,"
        "db03.example.com,web02.example.com,web03.example.com --concurrency 1"
    )
    harness.run_until_quiet()
    versions, replies = card_and_thread(harness)
    assert "Finished with failures" in versions[-1]
    failures, summary = replies[0], replies[-1]
    assert "db03.example.com" in failures and "not connected to the PCP broker" in failures
    assert "3/5 nodes succeeded" in summary
    assert "web07.example.com" in summary and "db03.example.com" in summary
    assert "Re-run on failed nodes" in summary
    assert "changed" in summary


def test_task_summary_shows_small_jobs_output(harness: Harness) -> None:
    harness.command(
        "/task package action=status name=openssl --nodes web01.example.com,"
        "db02.example.com -e development"
    )
    harness.run_until_quiet()
    _, replies = card_and_thread(harness)
    summary = replies[-1]
    assert "1/2 nodes succeeded" in summary
    assert "status ok" in summary
    assert "db02.example.com" in summary


def test_graceful_stop_lets_running_nodes_finish(harness: Harness) -> None:
    harness.command(
        "/deploy production --nodes web01.example.com,web02.example.com,"
        "web04.example.com --concurrency 1 --noop"
    )
    harness.tick(0.5)
    harness.command("/stop 1")
    harness.run_until_quiet()
    versions, replies = card_and_thread(harness)
    assert "Stopped" in versions[-1]
    text = "\n".join(replies)
    assert "asked to stop job" in text and "runs in progress finish" in text
    assert "1/3 nodes succeeded" in replies[-1] and "skipped" in replies[-1]


def test_forced_stop_ends_runs_at_once(harness: Harness) -> None:
    harness.command(
        "/deploy production --nodes web01.example.com,web02.example.com --concurrency 1 --noop"
    )
    harness.tick(0.5)
    harness.command("/stop 1 --force")
    harness.click("stop_force_confirm", "1", user="U0ALICE")
    harness.run_until_quiet()
    versions, replies = card_and_thread(harness)
    assert "Stopped" in versions[-1]
    assert "with force" in replies[0]
    assert "0/2 nodes succeeded" in replies[-1]


def test_plan_job_shows_its_steps_and_result(harness: Harness) -> None:
    harness.command(
        "/plan canary nodes=web01.example.com,web02.example.com command=whoami canary=1"
    )
    harness.run_until_quiet()
    versions, replies = card_and_thread(harness)
    assert "Plan canary" in versions[0]
    assert "Succeeded" in versions[-1] and "Steps" in versions[-1]
    steps = [r for r in replies if "Step " in r]
    assert len(steps) == 2 and "started" in steps[0]
    assert "Result" in replies[-1]


def test_a_failing_plan_ends_with_failure(harness: Harness) -> None:
    harness.command("/plan profile::migrate_db targets=db01.example.com -e development")
    harness.run_until_quiet()
    versions, replies = card_and_thread(harness)
    assert "Failed" in versions[-1]
    assert "schema lock" in replies[-1]


def test_thread_messages_are_few_for_a_big_failing_job(harness: Harness) -> None:
    nodes = ",".join(f"web{i:02d}.example.com" for i in range(1, 13))
    harness.command(
        f"/deploy production --nodes {nodes},db03.example.com,app05.example.com "
        "--concurrency 2 --noop"
    )
    harness.run_until_quiet()
    _, replies = card_and_thread(harness)
    assert len(replies) <= 3
    assert "did not succeed" in replies[0]
