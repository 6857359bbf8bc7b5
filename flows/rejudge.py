"""The bot's enabled schedules judged again, at start and whenever the policy file changes: a
schedule the policy now denies is disabled (`PUT {"enabled": false}`, PE's soft delete) and the
reason said in its card's thread. What it reaches is resolved again, as at send time; one that
cannot be resolved now is left for the next time (a disable cannot be undone)."""

from __future__ import annotations

import logging

from flows.asker import Asker
from flows.deps import Deps
from flows.gate import resolve_again_body
from flows.subject import subject_of
from orchestrator.errors import NotPermitted, OrchestratorError
from orchestrator.requests import ScheduleRequest
from store import audit, posts, requests, schedules
from store.schedules import ScheduleRow

log = logging.getLogger(__name__)


def rejudge(deps: Deps) -> list[str]:
    """Disable each enabled schedule the policy now denies; the names disabled."""
    disabled = []
    for row in schedules.in_state(deps.store.db, "enabled"):
        try:
            if _judge(deps, row):
                disabled.append(row.name)
        except Exception as exc:  # one schedule's trouble never stops the others'
            log.warning("cannot judge schedule %s again now (%s); next time", row.name, exc)
    return disabled


def _judge(deps: Deps, row: ScheduleRow) -> bool:
    request = ScheduleRequest.from_body(row.body)
    reach = resolve_again_body(deps, request, f"/{row.body.get('type') or 'deploy'}")
    requester = Asker(user_id=row.requester, channel_id=row.channel_id)
    made = requests.get(deps.store.db, row.request_id) if row.request_id else None
    pe_user = made.pe_login if made is not None else None  # person mode: who PE saw ask
    decision = deps.policy.decide(subject_of(request, requester, reach, None, pe_user), deps.groups)
    if decision.action != "deny":
        return False
    # The service token, in person mode too: disabling is the bot's own safety action, not a
    # person's command. It must work whoever asked for the schedule and whether or not they are
    # signed in now (a person's token lasts hours; a denied schedule must stop at once), and the
    # audit names the policy as its actor, not a person.
    try:
        deps.orchestrator.disable_scheduled_job(row.name)
    except NotPermitted as exc:
        _refused(deps, row, decision.reason, decision.rule, exc)
        return False
    except OrchestratorError as exc:
        log.warning("schedule %s is denied now but could not be disabled: %s", row.name, exc)
        return False
    now = deps.clock()
    with deps.store.write() as db:
        if not schedules.end(
            db, row.name, "disabled", by="policy", reason=decision.reason, now=now
        ):
            return False
        audit.record(
            db,
            now=now,
            actor="policy",
            action="schedule_disabled",
            channel_id=row.channel_id,
            request_id=row.request_id,
            job_id=f"schedule:{row.name}",
            rule=decision.rule,
            result=decision.reason,
        )
        posts.enqueue(
            db,
            key=f"{row.key}/disabled",
            channel_id=row.channel_id,
            kind="reply",
            template="schedule_note",
            data={
                "event": "disabled",
                "name": row.name,
                "reason": decision.reason,
                "rule": decision.rule,
            },
            thread_of=row.key,
            now=now,
        )
    deps.sender.wake()
    log.info("schedule %s disabled: the policy now denies it (%s)", row.name, decision.rule)
    return True


def _refused(
    deps: Deps, row: ScheduleRow, reason: str, rule: str | None, exc: NotPermitted
) -> None:
    """PE would not let the service account disable it: said once in its thread (it still runs),
    and tried again at each judgment."""
    log.warning("schedule %s is denied now, but PE refused to disable it: %s", row.name, exc.msg)
    now = deps.clock()
    with deps.store.write() as db:
        said = posts.enqueue(
            db,
            key=f"{row.key}/disable_refused",
            channel_id=row.channel_id,
            kind="reply",
            template="schedule_note",
            data={
                "event": "disable_refused",
                "name": row.name,
                "reason": reason,
                "rule": rule,
                "error": exc.msg or exc.short_kind,
            },
            thread_of=row.key,
            now=now,
        )
        if said:
            audit.record(
                db,
                now=now,
                actor="policy",
                action="schedule_disable_refused",
                channel_id=row.channel_id,
                request_id=row.request_id,
                job_id=f"schedule:{row.name}",
                rule=rule,
                result=exc.msg or exc.short_kind,
            )
    deps.sender.wake()
