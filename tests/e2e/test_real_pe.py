"""The whole bot, command to summary, against an orchestrator answering real PE bodies over HTTP.

Every body comes from ../shared/reference/pe-bodies (SOURCES.md); where a test needs one in a
slightly different form, it says why beside `patched(...)`. Each test here failed on the code
before issue 11 (commit 1bb29a7).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from store import jobs
from tests.support.harness import Harness, block_text
from tests.support.pe_bodies import body, needs_bodies, patched
from tests.support.replay import ReplayBot, replay_bot

pytestmark = needs_bodies
CHANNEL = "C0DEPLOYS"
D21 = "pe-2021.7.1/"


@pytest.fixture
def started(tmp_path: Path) -> Iterator[Any]:
    bots: list[ReplayBot] = []

    def start(routes: dict[str, Any], **kwargs: Any) -> ReplayBot:
        bot = replay_bot(tmp_path / str(len(bots)), routes, **kwargs)
        bots.append(bot)
        return bot

    (tmp_path / "0").mkdir()
    for i in range(1, 4):
        (tmp_path / str(i)).mkdir()
    try:
        yield start
    finally:
        for bot in bots:
            bot.close()


def thread_texts(h: Harness) -> list[str]:
    out = []
    for card in h.slack.messages(CHANNEL):
        out += [block_text(r.blocks or []) for r in h.slack.thread(CHANNEL, card.ts)[1:]]
    return out


def summary(h: Harness) -> str:
    found = [t for t in thread_texts(h) if "nodes succeeded" in t or "Plan " in t]
    assert found, thread_texts(h)
    return found[-1]


def card_text(h: Harness) -> str:
    card = h.slack.messages(CHANNEL)[0]
    return block_text(card.blocks or [])


def events_page(job: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    """A GET /jobs/<id>/events page shaped as 2021.7.1's job-events.json."""
    page = body(D21 + "job-events.json")
    page["next-events"]["id"] = page["next-events"]["id"].replace("/jobs/352/", f"/jobs/{job}/")
    page["items"] = items
    return page


def node_event(id: int, type_: str, node: str, detail: Any, message: str) -> dict[str, Any]:
    """An event shaped as job-events.json's item (id a string, details {node, detail})."""
    item = body(D21 + "job-events.json")["items"][0]
    return patched(
        item, id=str(id), type=type_, details={"node": node, "detail": detail}, message=message
    )


# -- 1. a finished task node whose result holds _error ------------------------------------------


def test_a_finished_task_node_with_an_error_result_is_a_failure(started: Any) -> None:
    bolt = body("bolt/node-results-from-spec.json")
    errored = bolt["finished_with_error_hash"]  # state finished, result {"_error": {...}}
    job = patched(body("go-pe-client/job-response.json"), name="81")  # the job POST named
    run = started(
        {
            "GET /tasks/package/install": body(D21 + "task.json"),
            "POST /command/task": body(D21 + "command-task-response.json"),
            "GET /jobs/81": job,
            "GET /jobs/81/events": events_page(
                "81",
                [
                    node_event(1, "node_running", "target1", {"noop": False}, "Started"),
                    node_event(2, "node_finished", "target1", errored["result"], "Finished"),
                ],
            ),
            "GET /jobs/81/nodes": {"items": [errored]},
        }
    )
    h = run.harness
    h.command("/task package::install name=openssl --nodes target1")
    h.run_until_quiet()
    text = summary(h)
    assert "0/1 nodes succeeded" in text and "1 failed" in text
    assert "`target1` failed: `failed`" in text  # the _error's msg, shown literally
    assert "Re-run on failed nodes" in text
    assert jobs.nodes(h.store.db, "job:81", ("failed",))[0]["message"] == "failed"
    assert "Finished with failures" in card_text(h)


# -- 2. the orchestrator's final word ------------------------------------------------------------

JENKINS = "jenkins-pe-plugin/2016.4_orchestrator_v1_"


def test_a_finished_job_whose_events_say_nothing_is_settled_from_its_nodes(started: Any) -> None:
    # PE 2016.4: job 711 finished with 11 nodes; its node list has 10 (both as recorded).
    run = started(
        {
            "POST /command/deploy": body(JENKINS + "command_deploy_job_deploy.json"),
            "GET /jobs/711": body(JENKINS + "jobs_711_job_details.json"),
            # No event was recorded with these captures: an empty page, shaped as PE 2016's
            # (orchestrator_client-ruby jobs_spec: next-events without "event").
            "GET /jobs/711/events": patched(body("orchestrator_client-ruby/jobs_spec-3.json"),
                                            items=[]),
            "GET /jobs/711/nodes": body(JENKINS + "jobs_711_nodes_job_node_results.json"),
        }
    )  # fmt: skip
    h = run.harness
    h.command("/deploy production --nodes master.inf.puppet.vm")
    h.run_until_quiet()
    text = summary(h)
    assert "10/11 nodes succeeded" in text
    assert "1 without a final state" in text and "pending" not in text
    assert run.server.replay.count("GET", "/jobs/711/nodes") == 1
    assert "pending" not in card_text(h) and "10/11 nodes done" in card_text(h)


def test_events_about_other_nodes_do_not_leave_a_finished_job_running(started: Any) -> None:
    # 2021.7.1 docs: job 1234 finished on node1 and node2; its events example speaks of
    # puppet-agent.example.com only, and its nodes example lists node1.
    job = patched(body(D21 + "job.json"), name="81")  # the job POST named
    run = started(
        {
            "POST /command/deploy": body(D21 + "command-deploy-response.json"),
            "GET /jobs/81": job,
            "GET /jobs/81/events": body(D21 + "job-events.json"),
            "GET /jobs/81/nodes": body(D21 + "job-nodes.json"),
        }
    )
    h = run.harness
    h.command("/deploy production --nodes node1.example.com,node2.example.com")
    h.run_until_quiet()
    text = summary(h)
    assert "1/2 nodes succeeded" in text and "1 without a final state" in text
    assert "running" not in text and "pending" not in text


# -- 3. changed means changed ---------------------------------------------------------------------


def test_an_unchanged_enforcing_run_with_out_of_sync_resources_changed_nothing(
    started: Any,
) -> None:
    # orchestrator_client-ruby (PE 2016): job 1's events; orchestrator.example.lan finished
    # "unchanged" with changed 0, out_of_sync 3. Its job record is the 2021.7.1 example's, with
    # the name and node count of this job.
    events = body("orchestrator_client-ruby/jobs_spec-3.json")
    run = started(
        {
            "POST /command/deploy": body("orchestrator_client-ruby/command_spec-0.json"),
            "GET /jobs/1": patched(body(D21 + "job.json"), name="1", node_count=3),
            "GET /jobs/1/events": events,
        }
    )
    h = run.harness
    nodes = "orchestrator.example.lan,agent1.puppetlabs.vm,agent2.puppetlabs.vm"
    h.command(f"/deploy production --nodes {nodes}")
    h.run_until_quiet()
    text = summary(h)
    assert "3/3 nodes succeeded" in text
    assert "Changed:" not in text
    assert "0 changed, 0 failed, 3 out of sync" in text
    assert run.server.replay.count("GET", "/jobs/1/nodes") == 0  # the events said it all


# -- 4. plan events without id -------------------------------------------------------------------


def test_plan_events_without_id_do_not_stall_the_plan(started: Any) -> None:
    # docs-2019.5: plan job 9's events; out_message and plan_end examples carry no id.
    d19 = "docs-2019.5-json/"
    page = body(d19 + "plan-events-page.json")
    start, task_start, finished = page["items"]
    page["items"] = [
        start,
        task_start,
        body(d19 + "plan-event-out_message-no-id.json"),
        body(d19 + "plan-event-plan_end-no-id.json"),
        finished,
    ]
    child = patched(body(D21 + "jobs.json")["items"][1], name="69")  # the plan_task of job-id 69
    run = started(
        {
            "GET /plans/canary/random": body(D21 + "plan.json"),
            "POST /command/plan_run": patched(body(D21 + "command-plan_run-response.json"),
                                              name="9"),
            "GET /plan_jobs/9/events": page,
            "GET /jobs/69": child,
            "GET /plan_jobs/9": patched(body(D21 + "plan-job.json"), name="9"),
        }
    )  # fmt: skip
    h = run.harness
    h.command("/plan canary::random")
    for _ in range(4):  # PE sends the id-less events again on every poll
        h.tick(5)
    h.run_until_quiet()
    texts = thread_texts(h)
    assert not any("Lost contact" in t for t in texts), texts
    outputs = [t for t in texts if "message sent from a plan" in t]
    assert len(outputs) == 1, texts
    assert any("Succeeded" in t for t in texts)
    assert jobs.get(h.store.db, "plan:9").done


# -- 6. out_message cut at 1,024 bytes -----------------------------------------------------------


def _long_plan(whole: str) -> dict[str, Any]:
    """2021.7.1's plan job 1234, whose events carry plan-job-event.json's out_message (id 1265)
    with a message as long as PE's limit: the first 1,024 bytes of `whole`."""
    event = body(D21 + "plan-job-event.json")
    listed = patched(event, details={"message": whole.encode()[:1024].decode()})
    page = body(D21 + "plan-job-events.json")
    page["items"] = [listed, *page["items"]]
    child = patched(body(D21 + "jobs.json")["items"][1], name="8765")  # task_start's job-id
    return {
        "GET /plans/canary/random": body(D21 + "plan.json"),
        "POST /command/plan_run": body(D21 + "command-plan_run-response.json"),
        "GET /plan_jobs/1234/events": page,
        "GET /plan_jobs/1234/event/1265": patched(event, details={"message": whole}),
        "GET /jobs/8765": child,
        "GET /plan_jobs/1234": body(D21 + "plan-job.json"),
    }


def test_a_cut_out_message_is_read_whole_and_shown_whole_when_it_fits(started: Any) -> None:
    whole = "deploy log: " + "x" * 1400 + " END"
    run = started(_long_plan(whole))
    h = run.harness
    h.command("/plan canary::random")
    h.run_until_quiet()
    output = next(t for t in thread_texts(h) if "Plan output" in t)
    assert "x" * 1400 + " END" in output
    assert "cut" not in output and "shortened" not in output
    assert run.server.replay.count("GET", "/plan_jobs/1234/event/1265") == 1


def test_a_message_too_long_for_slack_says_it_was_shortened(started: Any) -> None:
    whole = "deploy log: " + "y" * 6000 + " END"
    run = started(_long_plan(whole))
    h = run.harness
    h.command("/plan canary::random")
    h.run_until_quiet()
    output = next(t for t in thread_texts(h) if "Plan output" in t)
    assert "shortened to fit in Slack" in output and " END" not in output
    assert len(output) <= 3000


# -- a body missing what the bot needs ----------------------------------------------------------


def test_a_job_body_without_a_state_is_named_on_the_card_and_never_finished(
    started: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # 2021.7.1's job example without its `state`: the one thing that says whether it is done.
    job = patched(body(D21 + "job.json"), name="81", state=None)
    run = started(
        {
            "POST /command/deploy": body(D21 + "command-deploy-response.json"),
            "GET /jobs/81": job,
            "GET /jobs/81/events": events_page("81", []),
        }
    )
    h = run.harness
    with caplog.at_level(logging.ERROR, logger="poller.record"):
        h.command("/deploy production --nodes node1.example.com,node2.example.com")
        for _ in range(8):
            h.tick(60)
    card = card_text(h)
    assert "PE answered in a shape this bot does not understand" in card
    assert "has no 'state'" in card
    assert not jobs.get(h.store.db, "job:81").done
    assert not any("nodes succeeded" in t for t in thread_texts(h))
    logged = [r for r in caplog.records if "does not understand" in r.getMessage()]
    assert len(logged) == 1 and '"name": "81"' in logged[0].getMessage()


def test_a_command_answer_without_its_job_is_named_and_not_called_a_refusal(
    started: Any,
) -> None:
    # 2021.7.1's deploy answer without the `job` it exists to carry.
    run = started({"POST /command/deploy": patched(body(D21 + "command-deploy-response.json"),
                                                   job=None)})  # fmt: skip
    h = run.harness
    h.command("/deploy production --nodes node1.example.com")
    text = h.last_response_text()
    assert "answered in a shape this bot does not understand" in text
    assert "may have acted on the request" in text
