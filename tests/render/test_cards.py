"""Card and summary data: counts of a finished job, plan output fitted to Slack."""

from __future__ import annotations

from dataclasses import replace

from model.snapshot import Snapshot
from poller.follow import PlanMessage
from render import Renderer
from render.blocks import MAX_SECTION
from render.cards import plan_output_data
from render.views import node_counts


def test_a_finished_job_never_shows_pending_nodes() -> None:
    done = Snapshot(state="finished", node_count=5, counts={"finished": 3, "running": 1})
    assert node_counts(done) == [("succeeded", 3), ("without a final state", 2)]
    running = replace(done, state="running")
    assert node_counts(running) == [("succeeded", 3), ("running", 1), ("pending", 1)]


def test_plan_output_fits_one_section_and_says_what_it_cut() -> None:
    messages = [PlanMessage("short"), PlanMessage("<&>" * 2000), PlanMessage("late")]
    data = plan_output_data(messages, limit=20)
    assert [m["cut"] for m in data["messages"]] == [False, True]
    assert data["more"] == 1
    section = Renderer().render("plan_output", **data).blocks[0]["text"]["text"]
    assert len(section) <= MAX_SECTION and "shortened to fit in Slack" in section
    assert section.endswith("…and 1 more message (see the PE console)")


def test_plan_output_marks_a_message_pe_cut() -> None:
    data = plan_output_data([PlanMessage("x" * 1024, pe_cut=True)], limit=20)
    text = Renderer().render("plan_output", **data).blocks[0]["text"]["text"]
    assert "PE cut this message at 1,024 bytes" in text and "shortened" not in text
