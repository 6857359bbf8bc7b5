"""`--at`, `--in` and `--every`: a run becomes a schedule (POST /scheduled_jobs/environment_jobs)
that goes down the same path as a run now: the policy, approvals, the gate, the send.

When the typed times mean is read here, after the ack: wall-clock times in the requester's
Slack time zone (users.info, through the one Slack budget), UTC when it cannot be read (and the
requester is told). The zone is kept in the schedule's userdata (`chatops_tz`), so the cards
can warn that a daily run moves by an hour in local time when daylight saving starts or ends.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime

from slack_sdk.errors import SlackApiError

from commands.intents import Later
from commands.when import parse_interval, parse_when, zone_named
from flows.asker import Asker
from flows.deps import Deps
from flows.messages import answer
from flows.pipeline import submit
from orchestrator.requests import ScheduleRequest
from orchestrator.schedules import RunNow, schedule_request

log = logging.getLogger(__name__)

DESCRIPTION_LIMIT = 255
DAILY = 86_400


def requester_zone(deps: Deps, user_id: str) -> tuple[str, str | None]:
    """The person's IANA zone from Slack, and why not when it falls back to UTC."""
    try:
        reply = deps.slack.users_info(user=user_id)
    except SlackApiError as exc:
        return "UTC", f"Slack answered {exc.response.get('error', 'an error')}"
    except Exception as exc:  # a network failure: the schedule still works, in UTC
        log.warning("users.info for %s failed: %s", user_id, exc)
        return "UTC", "Slack could not be reached"
    name = str((reply.get("user") or {}).get("tz") or "")
    if not name:
        return "UTC", "your profile has no time zone"
    if getattr(zone_named(name), "key", None) != name:
        return "UTC", f"the zone {name!r} is not one this bot knows"
    return name, None


def needs_zone(later: Later) -> bool:
    """Whether the person's zone matters: a wall-clock `--at` (09:00, tomorrow 09:00) is read
    in it, and a daily or longer `--every` is warned about its daylight-saving changes. An ISO
    time with an offset, `--in` and a shorter `--every` do not need it (nor a users.info call)."""
    if later.at is not None and not re.match(r"\s*\d{4}-\d{1,2}-\d{1,2}", later.at):
        return True
    return later.every is not None and parse_interval(later.every) >= DAILY


def schedule_of(
    deps: Deps, asker: Asker, request: RunNow, later: Later
) -> tuple[ScheduleRequest, str | None]:
    """The schedule request for `request` (UsageError for a bad or past time), and why the
    requester's zone fell back to UTC, if it did."""
    zone_name, fallback = "UTC", None
    if needs_zone(later):
        zone_name, fallback = requester_zone(deps, asker.user_id)
    now = datetime.fromtimestamp(deps.clock(), UTC)
    when = parse_when(
        at=later.at,
        in_=later.in_,
        every=later.every,
        now=now,
        zone=zone_named(zone_name),
        command=asker.command.lstrip("/") or "schedule",
    )
    assert when is not None  # a Later always names at least one of the three
    typed = f"{asker.command} {asker.text}".strip()
    described = request.description or f"From Slack: {typed}"[:DESCRIPTION_LIMIT]
    userdata = {**(request.userdata or {}), "chatops_tz": zone_name}
    scheduled = schedule_request(
        request,
        start=when.start,
        interval=when.interval,
        description=described,
        userdata=userdata,
    )
    return scheduled, fallback


def submit_later(
    deps: Deps,
    asker: Asker,
    request: RunNow,
    later: Later,
    *,
    request_id: str | None = None,
    target_params: tuple[str, ...] = (),
) -> str:
    scheduled, fallback = schedule_of(deps, asker, request, later)
    if fallback:
        answer(deps, asker.response_url, "zone_note", replace=False, why=fallback)
    return submit(deps, asker, scheduled, request_id=request_id, target_params=target_params)
