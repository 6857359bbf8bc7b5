"""Forms instead of syntax: open a task, plan or deploy form, rebuild it when the person chooses
a task or plan (views.update), read what they submit, and carry it out on the very path of the
slash command (flows.run.run_intent: the same body, policy, approval, card and thread).

A form is accepted only in a view the bot opened for that same person (store.views, kind
`form`); what it is about (the kind, a request to run again) comes from that record and the
view's private_metadata, never from the payload's claims alone.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any

from slack_sdk.errors import SlackApiError

from commands.intents import RunDeploy, RunPlan, RunTask, UsageError
from commands.when import parse_when, zone_named
from flows.asker import Asker
from flows.catalog import Catalog
from flows.deps import Deps, new_id
from flows.later import requester_zone
from flows.messages import answer
from flows.run import run_intent
from forms import (
    CALLBACKS,
    FormContext,
    FormErrors,
    FormOptions,
    NodeGroupChoice,
    Prefill,
    Submission,
    deploy_form,
    plan_form,
    read_deploy_form,
    read_plan_form,
    read_task_form,
    task_form,
)
from forms import blocks as bk
from forms.common import read_environment, read_subject
from forms.ids import AT, CHANNEL, EVERY, SUBJECT, Kind
from forms.result import Values, conversation_of, text_of
from orchestrator.errors import OrchestratorError
from store import inbox, views

log = logging.getLogger(__name__)

VIEW_KIND = "form"
KINDS: dict[str, Kind] = {"/task": "task", "/plan": "plan", "/deploy": "deploy"}
BY_CALLBACK: dict[str, Kind] = {callback: kind for kind, callback in CALLBACKS.items()}
# When the requester's time zone is not known on the ack path (Slack has not answered or gave
# none, or the bot restarted while the form was open), a time is refused inline only when it is
# wrong at every UTC offset people live at (-12:00 to +14:00, by quarter hours). The schedule's
# own path reads it in their zone after the ack, as for the slash command, and answers privately
# if it is wrong there.
OFFSETS: tuple[tzinfo, ...] = tuple(
    timezone(timedelta(minutes=m)) for m in range(-12 * 60, 14 * 60 + 1, 15)
)


@dataclass(frozen=True)
class Read:
    """A submission read on the ack path: what to run, or the inline errors to ack with."""

    submission: Submission | None = None
    errors: FormErrors | None = None
    kind: Kind = "task"


def options_for(deps: Deps, catalog: Catalog, channel: str | None) -> FormOptions:
    return FormOptions(
        environments=catalog.environments(),
        node_groups=[NodeGroupChoice(gid, name) for gid, name in catalog.node_groups()],
        profiles=deps.profiles.names(),
        channel=channel or None,
    )


def build(
    kind: Kind,
    info: Any,
    environment: str,
    options: FormOptions,
    prefill: Prefill | None = None,
) -> dict[str, Any]:
    if kind == "task":
        return task_form(info, environment=environment, options=options, prefill=prefill)
    if kind == "plan":
        return plan_form(info, environment=environment, options=options, prefill=prefill)
    return deploy_form(environment=environment, options=options, prefill=prefill)


def open_form(
    deps: Deps,
    catalog: Catalog,
    opener: Asker,
    kind: Kind,
    *,
    prefill: Prefill | None = None,
    channel: str | None = None,
    ref: str = "",
) -> str:
    """views.open at once (the trigger lives 3 seconds): the first fields, from what is cached;
    a Run again form is then rebuilt with its task's or plan's parameters. Returns the view id."""
    environment = (prefill.environment if prefill else None) or "production"
    options = options_for(deps, catalog, channel or opener.channel_id)
    view = build(kind, None, environment, options, prefill)
    try:
        opened = deps.slack.views_open(trigger_id=opener.trigger_id, view=view)
    except SlackApiError as exc:
        error = (exc.response.data or {}).get("error") if exc.response else None
        log.warning("views.open of a %s form for %s: %s", kind, opener.user_id, error)
        answer(
            deps,
            opener.response_url,
            "error",
            title="Slack did not open the form.",
            detail=f"Slack answered {error or 'an error'}.",
            kind=None,
            hint=f"Try again in a moment, or type /{kind} with its arguments (/{kind} help).",
        )
        return ""
    shown = opened.get("view") or {}
    view_id = str(shown.get("id") or "")
    with deps.store.write() as db:
        views.record(
            db,
            view_id=view_id,
            user_id=opener.user_id,
            kind=VIEW_KIND,
            ref=ref or kind,
            channel_id=channel or opener.channel_id or None,
            now=deps.clock(),
        )
    log.info("opened a %s form %s for %s", kind, view_id, opener.user_id)
    warm_zone(deps, catalog, opener.user_id)
    if kind != "deploy":
        catalog.warm(kind, environment)
        if prefill is not None and prefill.subject:
            info, problem = _info(catalog, kind, prefill.subject, environment)
            if info is not None:
                update(
                    deps,
                    view_id,
                    shown.get("hash"),
                    build(kind, info, environment, options, prefill),
                )
            elif problem:
                update(deps, view_id, shown.get("hash"), _with_note(view, problem))
    return view_id


def warm_zone(deps: Deps, catalog: Catalog, user_id: str) -> None:
    """Read the person's Slack zone (users.info, through the budget) while they fill the form,
    as the schedule's path reads it; none kept when Slack gives none (or cannot be asked)."""

    def lookup() -> str | None:
        name, fallback = requester_zone(deps, user_id)
        return None if fallback else name

    catalog.warm_zone(user_id, lookup)


def rebuild(deps: Deps, catalog: Catalog, user_id: str, view: Mapping[str, Any]) -> None:
    """The environment or the task/plan changed: the form for what is chosen now."""
    view_id = str(view.get("id") or "")
    record = views.opened(deps.store.db, view_id, user_id, VIEW_KIND)
    if record is None:
        log.warning("refused a form change in view %s by %s: not a form opened for them",
                    view_id, user_id)  # fmt: skip
        return
    try:
        context = FormContext.decode(view.get("private_metadata"))
    except ValueError:
        log.warning("view %s carries no form context", view_id)
        return
    values: Values = ((view.get("state") or {}).get("values")) or {}
    environment = read_environment(values)[0] or context.environment or "production"
    channel = conversation_of(values, CHANNEL) or record.channel_id
    options = options_for(deps, catalog, channel)
    subject = read_subject(values) if context.kind != "deploy" else None
    info, problem = (None, "")
    if subject:
        info, problem = _info(catalog, context.kind, subject, environment)
    if context.kind != "deploy":
        catalog.warm(context.kind, environment)
    form = build(context.kind, info, environment, options)
    update(deps, view_id, view.get("hash"), _with_note(form, problem) if problem else form)


def update(deps: Deps, view_id: str, view_hash: Any, view: dict[str, Any]) -> None:
    try:
        deps.slack.views_update(
            view_id=view_id, hash=view_hash if isinstance(view_hash, str) else None, view=view
        )
    except SlackApiError as exc:
        # hash_conflict: the person changed the form again meanwhile; that change rebuilds it.
        log.info("views.update of %s: %s", view_id, (exc.response.data or {}).get("error"))


def _info(catalog: Catalog, kind: Kind, name: str, environment: str) -> tuple[Any, str]:
    try:
        if kind == "task":
            return catalog.task(name, environment), ""
        return catalog.plan(name, environment), ""
    except OrchestratorError as exc:
        return None, f"{kind.capitalize()} {name} cannot be shown from {environment}: {exc}"


def _with_note(view: dict[str, Any], note: str) -> dict[str, Any]:
    return {**view, "blocks": [*view["blocks"], bk.context(bk.mrkdwn_escape(bk.clip(note, 2900)))]}


def read(
    deps: Deps, catalog: Catalog, user_id: str, callback_id: str, view: Mapping[str, Any]
) -> Read | None:
    """A view_submission, on the ack path: the submission, or inline errors. None when the
    view is not a form the bot opened for this person (the ack closes it; nothing runs)."""
    kind = BY_CALLBACK.get(callback_id)
    view_id = str(view.get("id") or "")
    if kind is None or views.opened(deps.store.db, view_id, user_id, VIEW_KIND) is None:
        log.warning("refused a form submission in view %s by %s: not opened for them",
                    view_id, user_id)  # fmt: skip
        return None
    try:
        context = FormContext.decode(view.get("private_metadata"))
    except ValueError:
        return None
    values: Values = ((view.get("state") or {}).get("values")) or {}
    if kind != "deploy" and (not context.subject or context.kind != kind):
        return Read(errors=FormErrors({SUBJECT: f"Choose a {kind} first."}), kind=kind)
    now = datetime.fromtimestamp(deps.clock(), UTC)
    known = catalog.zone(user_id)
    if known is not None:
        zone = zone_named(known)
    else:
        zone = _a_zone_that_reads(values, now)
        if text_of(values, AT) or text_of(values, EVERY):
            warm_zone(deps, catalog, user_id)  # for the next submission
    try:
        result = _read(deps, catalog, kind, context, values, zone, now)
    except OrchestratorError as exc:
        why = bk.clip(f"Could not read the {kind} from PE: {exc}", 300)
        return Read(errors=FormErrors({SUBJECT: why}), kind=kind)
    if isinstance(result, FormErrors):
        return Read(errors=result, kind=kind)
    member = deps.membership.known(result.channel or "") if deps.membership else None
    if member is False:
        invite = "I am not in that channel: invite me there (/invite), or choose another."
        return Read(errors=FormErrors({CHANNEL: invite}), kind=kind)
    return Read(submission=result, kind=kind)


def _a_zone_that_reads(values: Values, now: datetime) -> tzinfo:
    """The requester's zone is unknown: the first offset at which the form's times read (UTC
    first), else UTC, whose complaint is then shown."""
    at, every = text_of(values, AT), text_of(values, EVERY)
    if at is None:
        return UTC  # --every alone and no time: nothing depends on the zone
    for zone in (UTC, *OFFSETS):
        try:
            parse_when(at=at, every=every, now=now, zone=zone)
        except UsageError:
            continue
        return zone
    return UTC


def _read(
    deps: Deps,
    catalog: Catalog,
    kind: Kind,
    context: FormContext,
    values: Values,
    zone: tzinfo,
    now: datetime,
) -> Submission | FormErrors:
    """The form's fields read back, its times in `zone` (a schedule's intent carries them as
    typed: its path reads them again in the requester's zone, as for the slash command)."""
    if kind == "deploy":
        return read_deploy_form(values, now=now, zone=zone)
    environment = context.environment or "production"
    if kind == "task":
        task = catalog.shown_task(context.subject or "", environment)
        options = FormOptions(profiles=deps.profiles.names())  # all reading needs
        return read_task_form(values, task, options=options, now=now, zone=zone)
    plan = catalog.shown_plan(context.subject or "", environment)
    return read_plan_form(values, plan, now=now, zone=zone)


def run(
    deps: Deps,
    submission: Submission,
    *,
    kind: Kind,
    user_id: str,
    team_id: str | None,
    response_url: str | None,
) -> str:
    """The submission as if typed as its slash command in the chosen channel: stored in the
    inbox, then run on the worker pool by run_intent. Returns the command's id."""
    command = f"/{kind}"
    channel = submission.channel or ""
    if response_url:
        deps.responder.note(response_url, channel, user_id)
    asker = Asker(
        user_id=user_id,
        channel_id=channel,
        team_id=team_id,
        response_url=response_url,
        command=command,
        text=submission.command.removeprefix(command).strip(),
    )
    intent: RunTask | RunPlan | RunDeploy = submission.intent
    command_id = new_id()
    payload, now = asker.payload(), deps.clock()
    deps.store.journal(lambda db: inbox.receive(db, command_id, payload, now))
    deps.work.submit(run_intent, deps, asker, intent, command_id)
    return command_id
