"""The one Bolt error handler: known errors answered privately, unknown ones logged in full."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import partial
from typing import Any

from slack_bolt import App

from flows.deps import Deps, new_id
from flows.explain import Explanation
from flows.messages import error_message, tell

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    app.error(partial(on_error, deps=deps))


def on_error(error: Exception, body: Mapping[str, Any], *, deps: Deps) -> None:
    ref = new_id()[:6]
    log.error("listener failed (ref %s)", ref, exc_info=error)
    why = Explanation(
        title="The bot hit an internal error.",
        detail=f"reference {ref}",
        hint="Nothing was run. The error is in the bot's log.",
    )
    tell(
        deps,
        body.get("response_url") if isinstance(body, Mapping) else None,
        error_message(deps.renderer, why),
    )
