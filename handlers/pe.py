"""`/pe login | whoami | logout`, the **Sign in to PE** button and the sign-in modal.

`/pe` is never kept in the inbox (unlike /deploy and friends) and takes no secret as an
argument: text shaped like a token is refused, not stored, and not echoed. The modal's password
goes to PE once, from the worker pool, and is kept nowhere.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from slack_bolt import App

from flows import pe_views
from flows.deps import Deps
from flows.pe_words import looks_like_token
from flows.people import Outcome
from flows.signed_in import resume_after_sign_in

log = logging.getLogger(__name__)

PE_COMMAND = "/pe"

SERVICE_MODE = (
    "This bot runs every command as its PE service account (PE_IDENTITY=service): there is "
    "nothing to sign in to."
)
SECRET_REFUSED = (
    "That looks like a token or password, and `/pe` never takes a secret after the command: it "
    "was not used or kept. Use `/pe login` and fill in the form instead. Whatever is typed in a "
    "command passes through Slack, so if it was a real token, revoke it."
)


def register(app: App, deps: Deps) -> None:
    app.command(PE_COMMAND)(partial(on_pe, deps=deps))
    app.action(pe_views.SIGN_IN_ACTION)(partial(on_sign_in_button, deps=deps))
    app.view(pe_views.CALLBACK)(partial(on_submit, deps=deps))


def _ephemeral(ack: Callable[..., None], text: str) -> None:
    ack(**pe_views.plain(text).payload(), response_type="ephemeral")


def on_pe(ack: Callable[..., None], command: Mapping[str, Any], *, deps: Deps) -> None:
    text = str(command.get("text") or "")
    if looks_like_token(text):
        log.info("/pe: refused text shaped like a secret from %s", command.get("user_id"))
        _ephemeral(ack, SECRET_REFUSED)
        return
    people = deps.people
    if people is None:
        _ephemeral(ack, SERVICE_MODE)
        return
    words = text.split()
    sub = words[0].lower() if words else "help"
    user = str(command.get("user_id") or "")
    if sub == "login" and len(words) == 1:
        _ephemeral(ack, "Opening the sign-in form…")
        trigger, channel = str(command.get("trigger_id") or ""), command.get("channel_id")
        deps.work.submit(open_form, deps, trigger, user, str(channel or ""))
        return
    if sub in ("whoami", "logout") and len(words) == 1:
        _ephemeral(ack, "Asking PE…")
        url = str(command.get("response_url") or "") or None
        action = people.whoami if sub == "whoami" else people.logout
        deps.work.submit(_answer, deps, url, action, user)
        return
    _ephemeral(ack, pe_views.USAGE)


def _answer(deps: Deps, url: str | None, action: Callable[[str], Any], user: str) -> None:
    outcome = action(user)
    deps.responder.send(url, pe_views.plain(outcome.message), replace=True)


def open_form(deps: Deps, trigger_id: str, user: str, channel: str) -> None:
    lifetime = deps.people.lifetime if deps.people else "12h"
    view = pe_views.sign_in_form(lifetime, channel)
    try:
        deps.slack.views_open(trigger_id=trigger_id, view=view)
    except Exception as exc:  # the trigger lasts 3 seconds; say so rather than stay silent
        log.warning("could not open the sign-in form for %s: %s", user, type(exc).__name__)


def on_sign_in_button(ack: Callable[..., None], body: Mapping[str, Any], *, deps: Deps) -> None:
    ack()
    user = str((body.get("user") or {}).get("id") or "")
    channel = str((body.get("channel") or {}).get("id") or "")
    deps.work.submit(open_form, deps, str(body.get("trigger_id") or ""), user, channel)


def on_submit(ack: Callable[..., None], body: Mapping[str, Any], *, deps: Deps) -> None:
    """Checked at once (both filled is refused inline); PE is asked from the worker pool."""
    view = body.get("view") or {}
    values = (view.get("state") or {}).get("values") or {}
    errors = pe_views.form_errors(values)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    if deps.people is None:
        ack(response_action="update", view=pe_views.notice("Sign in to PE", SERVICE_MODE))
        return
    login = pe_views.field(values, pe_views.LOGIN)
    secret = pe_views.field(values, pe_views.PASSWORD) or pe_views.field(values, pe_views.TOKEN)
    pasted = not pe_views.field(values, pe_views.PASSWORD)
    working = "Signing in… the bot tells you privately how it went."
    ack(response_action="update", view=pe_views.notice("Sign in to PE", working))
    user = str((body.get("user") or {}).get("id") or "")
    channel = str(view.get("private_metadata") or "") or None
    deps.work.submit(sign_in, deps, channel, user, login, secret, pasted)


def sign_in(
    deps: Deps, channel: str | None, user: str, login: str, secret: str, pasted: bool
) -> None:
    """Sign in, tell the person privately how it went (in the channel they asked from, else a
    direct message), and send what waited for them to sign in."""
    people = deps.people
    if people is None:
        return
    try:
        if pasted:
            outcome = people.sign_in_token(user, secret)
        else:
            outcome = people.sign_in_password(user, login, secret)
    except Exception as exc:  # never the secret: only the kind of failure
        log.error("sign-in of %s failed: %s", user, type(exc).__name__)
        outcome = Outcome(False, "The bot could not sign you in (an internal error); try again.")
    del secret  # kept nowhere: this frame was its only holder
    deps.responder.send(None, pe_views.plain(outcome.message), channel=channel, user=user)
    if outcome.ok:
        resume_after_sign_in(deps, user)
