"""Data for the job's status card and its thread messages. Pure functions of stored rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from model.failures import NodeFailure
from model.snapshot import Snapshot
from render import views
from render.blocks import MAX_SECTION
from render.fmt import progress_bar
from render.renderer import escape

STOP_HELP = (
    "No new runs start; runs in progress finish, then the job is stopped. "
    "To also end runs in progress, use /stop <job-id> --force."
)
PLAN_STOP_HELP = "The plan is interrupted; its running step finishes."
FAILURE_LIST = 25
SHAPE_WORDS = "PE answered in a shape this bot does not understand"
# Room for plan output in one section, after its title and each message's quote marks.
OUTPUT_BUDGET = MAX_SECTION - 100
NOTE_ROOM = 80  # a line saying who cut a message


def kind_word(kind: str) -> str:
    return "plan job" if kind == "plan_job" else "job"


@dataclass(frozen=True)
class Approved:
    """Who approved the request behind a job, when, and the fingerprint of what they saw."""

    by: tuple[str, ...]
    at: float | None
    fingerprint: str


def _steps(snapshot: Snapshot) -> list[dict[str, Any]]:
    shown = []
    for step in snapshot.steps:
        counts = step.node_states
        detail = ", ".join(f"{n} {views.NODE_WORDS.get(s, s)}" for s, n in sorted(counts.items()))
        label = f"{step.kind or 'task'} {step.name}" if step.name else (step.kind or "step")
        shown.append(
            {
                "job": step.job,
                "label": label,
                "emoji": views.STATE_EMOJI.get(step.state, "•"),
                "detail": detail,
            }
        )
    return shown


# Requests a form can open again (Run again…): flows/rerun.py, forms.prefill_from_body.
RERUNNABLE = frozenset({"task", "deploy", "plan_run", "environment_plan_run"})


def job_card_data(
    *,
    key: str,
    kind: str,
    name: str,
    endpoint: str,
    body: Mapping[str, Any],
    requester: str,
    snapshot: Snapshot,
    now: float,
    console_url: str | None,
    via: str | None = None,
    approval: Approved | None = None,
) -> dict[str, Any]:
    """Everything job_card.j2 shows."""
    state = snapshot.state
    node_count = snapshot.nodes
    done = snapshot.done
    ended = views.ended(snapshot)
    shape = snapshot.shape
    return {
        "key": key,
        "name": name,
        "kind_word": kind_word(kind),
        "req": views.request_view(endpoint, body, via),
        "requester": requester,
        "emoji": "⚠️" if shape else views.STATE_EMOJI.get(state, "•"),
        "state_word": SHAPE_WORDS if shape else views.STATE_WORDS.get(state, state),
        "shape": shape,
        "node_count": node_count,
        "ended": ended,
        "bar": progress_bar(ended, node_count),
        "counts": views.node_counts(snapshot),
        "steps": _steps(snapshot),
        "elapsed_word": "Took" if done else "Running for",
        "elapsed": views.elapsed(snapshot, now),
        "console": views.console_link(console_url, kind, name),
        "approval": approval,
        "stoppable": not done and state != "stopping",
        "rerunnable": endpoint in RERUNNABLE,
        "stop_help": PLAN_STOP_HELP if kind == "plan_job" else STOP_HELP,
    }


def failures_data(name: str, failures: Sequence[NodeFailure]) -> dict[str, Any]:
    """A batch of failed or errored nodes for the thread."""
    shown = [failure.to_json() for failure in failures[:FAILURE_LIST]]
    return {
        "name": name,
        "failures": shown,
        "more": len(failures) - len(shown),
        "count": len(failures),
    }


def summary_data(
    *,
    kind: str,
    name: str,
    endpoint: str,
    body: Mapping[str, Any],
    snapshot: Snapshot,
    failed: Sequence[Mapping[str, Any]],
    failed_total: int,
    outputs: Sequence[Mapping[str, Any]],
    changed_nodes: int,
    console_url: str | None,
    now: float,
) -> dict[str, Any]:
    """The final summary: `N/M nodes succeeded`, counts, failures, changes, output, duration."""
    counts = snapshot.counts
    state = snapshot.state
    resources = dict(snapshot.resources)
    noop = bool(body.get("noop"))
    return {
        "kind_word": kind_word(kind),
        "name": name,
        "subject": views.subject(endpoint, body),
        "state": state,
        "emoji": views.STATE_EMOJI.get(state, "•"),
        "state_word": views.STATE_WORDS.get(state, state),
        "succeeded": int(counts.get("finished", 0)),
        "node_count": snapshot.nodes,
        "counts": views.node_counts(snapshot),
        # Only what the summary shows: the data is queued with the post, as JSON.
        "failed": [
            {"node": f["node"], "state": f["state"], "message": f.get("message")} for f in failed
        ],
        "failed_more": max(0, failed_total - len(failed)),
        "resources": resources if any(resources.values()) else {},
        "noop": noop,
        "would_change": max(0, resources.get("out_of_sync", 0) - resources.get("failed", 0)),
        "changed_nodes": changed_nodes,
        "outputs": list(outputs),
        "steps": _steps(snapshot),
        "result": snapshot.result,
        "is_plan": kind == "plan_job",
        "duration": views.elapsed(snapshot, now),
        "console": views.console_link(console_url, kind, name),
    }


def plan_output_data(messages: Sequence[Any], *, limit: int) -> dict[str, Any]:
    """What a plan printed, fitted into one Slack section: at most `limit` messages, each cut
    only if the section cannot hold it whole. `cut` says a message was shortened here, `pe_cut`
    that PE cut it at 1,024 bytes and the whole text could not be read."""
    shown: list[dict[str, Any]] = []
    room = OUTPUT_BUDGET
    for message in messages[:limit]:
        if room < NOTE_ROOM and shown:
            break
        text = str(message.text)
        quoted = 4 * (text.count("\n") + 1)  # "> " and a code span's backticks, every line
        cut = len(escape(text)) + quoted + NOTE_ROOM > room
        if cut:
            text = _fit(text, room - quoted - NOTE_ROOM)
        shown.append({"lines": text.splitlines() or [""], "cut": cut, "pe_cut": message.pe_cut})
        room -= len(escape(text)) + quoted + NOTE_ROOM
    return {"messages": shown, "more": len(messages) - len(shown)}


def _fit(text: str, room: int) -> str:
    """The longest start of `text` whose escaped form fits in `room` characters, marked."""
    out: list[str] = []
    used = 0
    for char in text:
        used += len(escape(char))
        if used > room:
            break
        out.append(char)
    return "".join(out).rstrip() + "…"
