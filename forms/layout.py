"""Fitting a task's or plan's parameters into Slack's 100 blocks, and the notes that say what
the form leaves to the slash command (sensitive parameters, and those that did not fit).

Required parameters are placed first, then optional ones in metadata order, while blocks are
left; what is left out is named in a note with the slash command that sets it. A task whose
required parameters alone do not fit cannot be run from the form: reading it says so.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from forms import blocks as bk
from forms.fields import ParamField
from forms.ids import SUBJECT
from forms.result import Values

MAX_VIEW_BYTES = 240_000  # Slack refuses views over 250 kB (view_too_large); kept under it


@dataclass(frozen=True)
class Layout:
    """The fields shown (metadata order), and those left to the slash command."""

    shown: tuple[ParamField, ...]
    left_out: tuple[ParamField, ...]
    sensitive: tuple[ParamField, ...]

    @property
    def runnable(self) -> bool:
        """False when a required parameter is not in the form (sensitive, or no room)."""
        return not any(f.spec.required for f in (*self.left_out, *self.sensitive))


def fit(fields: Sequence[ParamField], budget: int, cost: dict[str, int] | None = None) -> Layout:
    """Choose the fields that fit in `budget` blocks (`cost`: blocks per widget, default 1),
    the notes included: one for sensitive parameters, one for those left out."""
    if any(f.widget == "sensitive" for f in fields):
        budget -= 1
    first = _fit(fields, budget, cost or {})
    return _fit(fields, budget - 1, cost or {}) if first.left_out else first


def fit_view(
    fields: Sequence[ParamField],
    budget: int,
    render: Callable[[Layout], dict[str, Any]],
    cost: dict[str, int] | None = None,
) -> dict[str, Any]:
    """The view `render` makes of the fields that fit in `budget` blocks and in Slack's size
    limit: parameters with long option lists and hints can outgrow 250 kB before 100 blocks,
    so fewer are shown (the note names the rest) until the view fits."""
    while True:
        view = render(fit(fields, budget, cost))
        if budget <= 0 or len(json.dumps(view).encode("utf-8")) <= MAX_VIEW_BYTES:
            return view
        budget -= max(1, budget // 5)


def _fit(fields: Sequence[ParamField], budget: int, cost: dict[str, int]) -> Layout:
    sensitive = tuple(f for f in fields if f.widget == "sensitive")
    candidates = [f for f in fields if f.widget != "sensitive"]
    ordered = [f for f in candidates if f.spec.required] + [
        f for f in candidates if not f.spec.required
    ]
    chosen: set[str] = set()
    left = budget
    for field in ordered:
        need = cost.get(field.widget, 1)
        if need <= left:
            chosen.add(field.spec.name)
            left -= need
    shown = tuple(f for f in candidates if f.spec.name in chosen)
    left_out = tuple(f for f in candidates if f.spec.name not in chosen)
    return Layout(shown, left_out, sensitive)


def notes(layout: Layout, command: str) -> list[bk.Block]:
    """Context lines for what the form does not take; `command` is e.g. "/task mymodule::x"."""
    out: list[bk.Block] = []
    if layout.sensitive:
        names = _names(layout.sensitive)
        out.append(
            bk.context(
                f"Not asked here: {names} (sensitive: Slack cannot hide what is typed into a "
                f"form). To give {'it' if len(layout.sensitive) == 1 else 'them'}, run "
                f"`{command} ... --params '{{...}}'` instead; the bot never shows the value."
            )
        )
    if layout.left_out:
        out.append(
            bk.context(
                f"{len(layout.left_out)} more parameter(s) did not fit in a form "
                f"(Slack shows at most {bk.MAX_BLOCKS} blocks): {_names(layout.left_out)}. "
                f"Set them with `{command} name=value ...` instead."
            )
        )
    return out


def unrunnable_reason(layout: Layout, command: str) -> str | None:
    """Why the form cannot run this task or plan (an inline error for the subject field)."""
    missing = [f for f in (*layout.sensitive, *layout.left_out) if f.spec.required]
    if not missing:
        return None
    names = ", ".join(f.spec.name for f in missing[:5])
    why = "is sensitive" if all(f in layout.sensitive for f in missing) else "cannot be given here"
    return bk.clip(f"Required {names} {why}: run it with {command} ... instead.", 300)


def _names(fields: Sequence[ParamField], most: int = 20) -> str:
    shown = ", ".join(f"`{f.spec.name}`" for f in fields[:most])
    return shown + (f" and {len(fields) - most} more" if len(fields) > most else "")


def read_params(
    values: Values, fields: list[ParamField], command: str
) -> tuple[dict[str, str], dict[str, Any], dict[str, str]]:
    """The fields shown in the view read back: name=value words, --params values, and errors.

    A field the view did not show (no room) counts as not given; a required one that was not
    shown, or is sensitive, means the form cannot run this: an error on the subject field.
    """
    raw: dict[str, str] = {}
    given: dict[str, Any] = {}
    errors: dict[str, str] = {}
    missing: list[str] = []
    for field in fields:
        if field.widget == "target":
            continue  # a plan's targets: forms.targets reads them
        if field.widget == "sensitive" or field.block_id not in values:
            if field.spec.required:
                missing.append(field.spec.name)
            continue
        kind, value = field.read(values)
        if kind == "error":
            errors[field.block_id] = value
        elif kind == "raw":
            raw[field.spec.name] = value
        elif kind == "json":
            given[field.spec.name] = value
    if missing:
        names = ", ".join(missing[:5]) + ("…" if len(missing) > 5 else "")
        errors[SUBJECT] = bk.clip(
            f"{names} cannot be given in this form (sensitive, or no room): run it with "
            f"{command} ... instead.",
            300,
        )
    return raw, given, errors
