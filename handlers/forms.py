"""Forms: /task, /plan and /deploy with no arguments and the global shortcuts open a modal;
choosing a task or plan rebuilds it; type-ahead is answered from the catalog; a submission is
read (inline errors in the ack) and run as its slash command. Run again… on a card opens the
form pre-filled with that card's request."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from slack_bolt import App

from flows import modals, rerun
from flows.asker import Asker
from flows.catalog import Catalog
from flows.deps import Deps
from flows.run import guarded
from forms import CALLBACKS, FormContext, NodeGroupChoice, suggest, suggest_groups
from forms.common import read_environment
from forms.ids import ENVIRONMENT, SUBJECT, VALUE, Kind

log = logging.getLogger(__name__)

SHORTCUTS: dict[str, Kind] = {"run_task": "task", "run_plan": "plan", "run_puppet": "deploy"}
RUN_AGAIN = "run_again"
# A node-group field (a task's or deploy's, or a plan's target parameter's): type-ahead when
# the classifier has more than 100 groups.
GROUP_BLOCK = re.compile(r"^target:(?:[^:]+:)?node_group$")


def catalog_for(deps: Deps) -> Catalog:
    resolver = deps.resolver
    return Catalog(
        deps.orchestrator,
        work=deps.work,
        clock=deps.clock,
        puppetdb=resolver.puppetdb if resolver is not None else None,
        classifier=resolver.classifier if resolver is not None else None,
        known=deps.known_environments,
    )


def register(app: App, deps: Deps, catalog: Catalog) -> None:
    for callback_id, kind in SHORTCUTS.items():
        app.shortcut(callback_id)(partial(on_shortcut, deps=deps, catalog=catalog, kind=kind))
    for block_id in (ENVIRONMENT, SUBJECT):
        app.action({"block_id": block_id, "action_id": VALUE})(
            partial(on_change, deps=deps, catalog=catalog)
        )
    # Bolt's options() matches the action_id only (1.30 ignores a block_id constraint): one
    # listener answers every type-ahead of the forms, by the block it came from.
    app.options(VALUE)(partial(on_options, deps=deps, catalog=catalog))
    for callback_id in CALLBACKS.values():
        app.view(callback_id)(partial(on_submit, deps=deps, catalog=catalog))
    app.action(RUN_AGAIN)(partial(on_run_again, deps=deps, catalog=catalog))


def open_from_command(
    ack: Callable[..., None], command: Mapping[str, Any], *, deps: Deps, catalog: Catalog
) -> None:
    """`/task`, `/plan` or `/deploy` alone: the form, in the channel it was typed in."""
    ack()
    asker = Asker.from_command(command)
    kind = modals.KINDS[asker.command]
    # The trigger_id lives 3 seconds: the worker pool starts this at once, and views.open is
    # counted in the Slack budget as a call that cannot wait.
    deps.work.submit(guarded, deps, asker, partial(modals.open_form, deps, catalog, asker, kind))


def on_shortcut(
    ack: Callable[..., None], body: Mapping[str, Any], *, deps: Deps, catalog: Catalog, kind: Kind
) -> None:
    """A global shortcut: no conversation, so the person chooses the channel."""
    ack()
    asker = Asker.from_action(body)
    deps.work.submit(guarded, deps, asker, partial(modals.open_form, deps, catalog, asker, kind))


def on_change(
    ack: Callable[..., None], body: Mapping[str, Any], *, deps: Deps, catalog: Catalog
) -> None:
    ack()
    asker = Asker.from_action(body)
    view = body.get("view") or {}
    deps.work.submit(
        guarded, deps, asker, partial(modals.rebuild, deps, catalog, asker.user_id, view)
    )


def on_options(
    ack: Callable[..., None], body: Mapping[str, Any], *, deps: Deps, catalog: Catalog
) -> None:
    block_id = str(body.get("block_id") or "")
    if block_id == SUBJECT:
        on_suggest(ack, body, catalog=catalog)
    elif GROUP_BLOCK.match(block_id):
        on_suggest_group(ack, body, catalog=catalog)
    else:
        ack(options=[])


def on_suggest(ack: Callable[..., None], body: Mapping[str, Any], *, catalog: Catalog) -> None:
    """Type-ahead for the task or plan, from the per-environment cache (Slack waits 3 s)."""
    view = body.get("view") or {}
    try:
        context = FormContext.decode(view.get("private_metadata"))
    except ValueError:
        ack(options=[])
        return
    if context.kind == "deploy":
        ack(options=[])
        return
    values = (view.get("state") or {}).get("values") or {}
    environment = read_environment(values)[0] or context.environment or "production"
    names = catalog.names(context.kind, environment)
    ack(**suggest(names, str(body.get("value") or "")))


def on_suggest_group(
    ack: Callable[..., None], body: Mapping[str, Any], *, catalog: Catalog
) -> None:
    groups = [NodeGroupChoice(gid, name) for gid, name in catalog.node_groups()]
    ack(**suggest_groups(groups, str(body.get("value") or "")))


def on_submit(
    ack: Callable[..., None],
    body: Mapping[str, Any],
    view: Mapping[str, Any],
    *,
    deps: Deps,
    catalog: Catalog,
) -> None:
    """Read on the ack path, so a mistake is shown beside its field; then the slash path."""
    user = str(body["user"]["id"])
    read = modals.read(deps, catalog, user, str(view.get("callback_id") or ""), view)
    if read is None:
        ack()
        return
    if read.errors is not None or read.submission is None:
        ack(**(read.errors.response() if read.errors else {}))
        return
    ack()
    urls = body.get("response_urls") or []
    response_url = next(
        (
            str(u.get("response_url"))
            for u in urls
            if isinstance(u, Mapping) and u.get("response_url")
        ),
        None,
    )
    team = (body.get("team") or {}).get("id")
    modals.run(
        deps,
        read.submission,
        kind=read.kind,
        user_id=user,
        team_id=team,
        response_url=response_url,
    )


def on_run_again(
    ack: Callable[..., None], body: Mapping[str, Any], *, deps: Deps, catalog: Catalog
) -> None:
    """Run again… on a status card or summary: the value is the card's job id, nothing more."""
    ack()
    asker = Asker.from_action(body)
    key = str((body.get("actions") or [{}])[0].get("value") or "")
    deps.work.submit(guarded, deps, asker, partial(rerun.open_again, deps, catalog, asker, key))
