"""The Home tab of one person: approvals waiting for them (with Approve / Reject), their running
jobs with progress, their recent requests and what became of them, and their schedules.

Pure: data in, a `home` view out. Times are Slack date tokens (`<!date^...>`), which each
reader's client shows in their own time zone, so the view does not change as time passes and
an unchanged tab is not published again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from render.fmt import progress_bar
from render.renderer import escape
from render.views import STATE_EMOJI, STATE_WORDS

APPROVE = "home_approve"
REJECT = "home_reject"
MAX_BLOCKS = 100  # Slack's limit for a Home tab
SHOWN = 10  # of each list
REQUEST_WORDS = {
    "new": "⏳ sending",
    "launching": "⏳ sending",
    "awaiting_approval": "✋ waiting for approval",
    "approved": "⏳ approved, sending",
    "launched": "🚀 launched",
    "scheduled": "🗓️ scheduled",
    "denied": "🚫 refused by policy",
    "rejected": "🚫 rejected",
    "expired": "⌛ approval expired",
    "failed": "❌ failed to start",
}


@dataclass(frozen=True)
class WaitingApproval:
    id: str
    subject: str
    requester: str
    channel_id: str
    votes: int
    required: int
    expires_at: float


@dataclass(frozen=True)
class RunningJob:
    id: str
    name: str
    subject: str
    state: str
    ended: int
    nodes: int
    channel_id: str


@dataclass(frozen=True)
class RecentRequest:
    id: str
    text: str
    state: str
    created_at: float
    job: str | None
    channel_id: str
    outcome: str | None = None  # the job's state (running, finished, failed...) when launched


@dataclass(frozen=True)
class ScheduleLine:
    """One of the person's schedules (fed by the scheduler's store)."""

    id: str
    text: str
    channel_id: str
    next_at: float | None
    every: str | None = None


@dataclass(frozen=True)
class HomeData:
    """Everything one person's Home tab shows. `schedules` None: the bot keeps no schedules,
    and the section is left out."""

    user_id: str
    approvals: Sequence[WaitingApproval] = ()
    jobs: Sequence[RunningJob] = ()
    requests: Sequence[RecentRequest] = ()
    schedules: Sequence[ScheduleLine] | None = None


def when(epoch: float) -> str:
    """A time every client shows in its reader's zone; the fallback is UTC."""
    seconds = int(epoch)
    utc = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{seconds}^{{date_short_pretty}} {{time}}|{utc}>"


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}


def _header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": text[:150]}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:3000]}]}


def _button(label: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": label},
        "action_id": action_id,
        "value": value,
    }
    if style:
        button["style"] = style
    return button


def _approvals(items: Sequence[WaitingApproval]) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [_header("Waiting for your approval")]
    if not items:
        return [*blocks, _context("Nothing is waiting for you.")]
    for a in items[:SHOWN]:
        text = (
            f"*{escape(a.subject)}*\nasked by <@{escape(a.requester)}> in <#{escape(a.channel_id)}>"
            f" · {a.votes} of {a.required} approvals · expires {when(a.expires_at)}"
        )
        blocks.append(_section(text))
        blocks.append(
            {
                "type": "actions",
                "block_id": f"approval:{a.id}",
                "elements": [
                    _button("Approve", APPROVE, a.id, "primary"),
                    _button("Reject…", REJECT, a.id, "danger"),
                ],
            }
        )
    if len(items) > SHOWN:
        blocks.append(_context(f"…and {len(items) - SHOWN} more, on their cards."))
    return blocks


def _jobs(items: Sequence[RunningJob]) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [_header("Your running jobs")]
    if not items:
        return [*blocks, _context("None running.")]
    for j in items[:SHOWN]:
        progress = (
            f"`{progress_bar(j.ended, j.nodes, 10)}` {j.ended}/{j.nodes} nodes done"
            if j.nodes
            else "starting"
        )
        blocks.append(
            _section(
                f"*{escape(j.subject)}* · job `{escape(j.name)}` in <#{escape(j.channel_id)}>\n"
                f"{escape(j.state)} · {progress}"
            )
        )
    return blocks


def _requests(items: Sequence[RecentRequest]) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [_header("Your recent requests")]
    if not items:
        return [*blocks, _context("You have asked for nothing yet.")]
    lines = []
    for r in items[:SHOWN]:
        word = REQUEST_WORDS.get(r.state, r.state)
        if r.outcome:
            emoji, said = STATE_EMOJI.get(r.outcome, "•"), STATE_WORDS.get(r.outcome, r.outcome)
            word = f"{emoji} {said.lower()}"
        job = f" · job `{escape(r.job.split(':')[-1])}`" if r.job else ""
        text = escape(r.text[:200])
        lines.append(f"• `{text}` · {word}{job} · <#{escape(r.channel_id)}> · {when(r.created_at)}")
    return [*blocks, _section("\n".join(lines))]


def _schedules(items: Sequence[ScheduleLine]) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [_header("Your schedules")]
    if not items:
        return [*blocks, _context("No schedules. Add --at or --every to a command.")]
    lines = []
    for s in items[:SHOWN]:
        nxt = f"next {when(s.next_at)}" if s.next_at is not None else "no next run"
        every = f" · every {escape(s.every)}" if s.every else ""
        lines.append(f"• `{escape(s.text[:200])}` · {nxt}{every} · <#{escape(s.channel_id)}>")
    return [*blocks, _section("\n".join(lines))]


def home_view(data: HomeData) -> dict[str, Any]:
    """The `home` view for views.publish."""
    blocks = _approvals(data.approvals)
    blocks += [{"type": "divider"}, *_jobs(data.jobs)]
    blocks += [{"type": "divider"}, *_requests(data.requests)]
    if data.schedules is not None:
        blocks += [{"type": "divider"}, *_schedules(data.schedules)]
    blocks.append(
        _context("Forms: `/task`, `/plan` or `/deploy` alone, or the shortcuts “Run a task…”, "
                 "“Run a plan…”, “Run Puppet…”.")
    )  # fmt: skip
    return {"type": "home", "blocks": blocks[:MAX_BLOCKS]}


def digest(view: dict[str, Any]) -> str:
    """What identifies a view's content: the same digest, nothing to publish."""
    text = json.dumps(view, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def offered(data: HomeData) -> tuple[str, ...]:
    """The approvals the view offers buttons for: a click is accepted only for these."""
    return tuple(a.id for a in data.approvals[:SHOWN])
