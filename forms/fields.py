"""A task or plan parameter as a form field: which element its Puppet type becomes, the input
block that shows it, and how its value is read back as the slash command would take it.

Type (Optional[...] unwrapped) → element → read back as:
- Boolean → one checkbox → `name=true` / `name=false`; an unticked Optional[Boolean] without a
  default is left out, not false.
- Enum[...] (≤ 100 choices, each ≤ 150 characters) → static select → `name=<choice>`.
- Integer, Float, Numeric → number input with the type's range as min/max → `name=<number>`.
- String, Pattern, Any, scalar Variants and other scalars → text input (String's lengths as
  min/max) → `name=<text>`, checked against the type.
- Array, Hash, Struct, Tuple, Collection (and Variants holding them) → multiline JSON text →
  `--params '{"name": <json>}'`, checked against the type.
- TargetSpec (plans) → nodes / PQL / node group (forms.targets) → `name=a,b`,
  `name=query:<pql>`, `name=node_group:<id>`.
- Sensitive[...] or `"sensitive": true` → not in the form (Slack cannot mask input); the form
  says to use the slash command.

Defaults fill the fields in; a value left at its default is left out of the request, so the
task's own default applies, as when a person types nothing for it. A value a widget cannot
show (a Run again value an Any-typed text field cannot round-trip) makes that field JSON.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Literal

from commands.ptypes import Misfit, convert, fits
from commands.puppet_types import PType, Regex, parse_type
from forms import blocks as bk
from forms.ids import param_action, param_block
from forms.result import Values, choice_of, choices_of, state_of, text_of
from orchestrator.models import ParamSpec

Widget = Literal["checkbox", "select", "number", "text", "json", "target", "sensitive"]
MISSING: Any = object()
_STRUCTURED = {"Array", "Hash", "Struct", "Tuple", "Collection"}
TARGET_TYPES = {"TargetSpec", "Boltlib::TargetSpec"}
TRUE = "true"


def _type_arg(arg: Any) -> PType:
    if isinstance(arg, PType):
        return arg
    return PType("Enum", (arg,)) if isinstance(arg, str) else PType("Any")


def unwrap(t: PType) -> PType:
    """The type inside Optional[...] and NotUndef[...]."""
    while t.name in ("Optional", "NotUndef") and t.args:
        t = _type_arg(t.args[0])
    return t


def _structured(t: PType) -> bool:
    t = unwrap(t)
    if t.name == "Variant":
        return any(_structured(_type_arg(a)) for a in t.args)
    return t.name in _STRUCTURED


def _choices(t: PType) -> list[str]:
    return [a for a in t.args if isinstance(a, str)]


def _bounds(t: PType) -> tuple[float | None, float | None]:
    def number(i: int) -> float | None:
        arg = t.args[i] if len(t.args) > i else None
        ok = isinstance(arg, int | float) and not isinstance(arg, bool) and math.isfinite(arg)
        return arg if ok else None

    return number(0), number(1)


def same(a: Any, b: Any) -> bool:
    """Equal as JSON values (true is not 1, 1 is not 1.0)."""
    try:
        return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    except (TypeError, ValueError):
        return False


@dataclass(frozen=True)
class ParamField:
    """One parameter of the chosen task or plan, and the element it becomes."""

    spec: ParamSpec
    subject: str
    widget: Widget

    @property
    def ptype(self) -> PType:
        return parse_type(self.spec.type)

    @property
    def inner(self) -> PType:
        return unwrap(self.ptype)

    @property
    def optional(self) -> bool:
        return not self.spec.required

    @property
    def block_id(self) -> str:
        return param_block(self.spec.name)

    @property
    def action_id(self) -> str:
        return param_action(self.subject, self.spec.name, f"{self.spec.type}/{self.widget}")

    def block(self, value: Any = MISSING) -> bk.Block:
        """The input block, showing `value` (else the default) where the element can."""
        if value is MISSING and self.spec.has_default:
            value = self.spec.default
        element = self._element(value)
        hint = self._hint(value, shown="initial_value" in element or "initial_option" in element)
        optional = self.optional or self.widget == "checkbox"
        return bk.input_block(self.block_id, self.spec.name, element, optional=optional, hint=hint)

    def _element(self, value: Any) -> dict[str, Any]:
        action, inner = self.action_id, self.inner
        if self.widget == "checkbox":
            box = bk.option(TRUE, f"{self.spec.name} = true")
            return bk.checkboxes(action, [box], initial=[TRUE] if value is True else [])
        if self.widget == "select":
            options = [bk.option(c) for c in _choices(inner)]
            return bk.static_select(
                action, options, initial=value if isinstance(value, str) else None
            )
        if self.widget == "number":
            low, high = _bounds(inner)
            shown = _shown(self.ptype, value)
            return bk.number_input(
                action, decimal=inner.name != "Integer", low=low, high=high, initial=shown
            )
        if self.widget == "json":
            shown = None if value is MISSING or value is None else json.dumps(value)
            shown = shown if shown and len(shown) <= bk.MAX_TEXT else None
            return bk.text_input(action, initial=shown, multiline=True, placeholder=_example(inner))
        low, high = _bounds(inner) if inner.name == "String" else (None, None)
        return bk.text_input(
            action,
            initial=_shown(self.ptype, value),
            min_length=int(low) if low is not None and low > 0 else None,
            max_length=int(high) if high is not None else None,
        )

    def _hint(self, value: Any, *, shown: bool) -> str:
        parts = [self.spec.description.strip()] if self.spec.description.strip() else []
        parts.append(self.spec.type + (" (as JSON)" if self.widget == "json" else ""))
        if self.spec.has_default and not shown and self.widget != "checkbox":
            parts.append(f"default: {bk.clip(json.dumps(self.spec.default, default=str), 200)}")
        return bk.clip(" · ".join(parts), bk.LABEL)

    def read(self, values: Values) -> tuple[str, Any]:
        """("omit", None), ("raw", text), ("json", value) or ("error", message)."""
        if self.widget == "checkbox":
            return self._checkbox(TRUE in choices_of(values, self.block_id))
        if self.widget == "select":
            text = choice_of(values, self.block_id)
        elif self.widget == "number":
            text = text_of(values, self.block_id)
        else:
            state = state_of(values, self.block_id) or {}
            raw = state.get("value")
            text = raw if isinstance(raw, str) and raw.strip() else None
        if text is None:
            return ("omit", None) if self.optional else ("error", "Required: give a value.")
        if self.widget == "json":
            return self._json(text)
        try:
            typed = convert(self.ptype, text)
        except (Misfit, RecursionError):
            return "error", _expected(self.inner, self.spec.type)
        if self.spec.has_default and same(typed, self.spec.default):
            return "omit", None
        return "raw", text

    def _checkbox(self, ticked: bool) -> tuple[str, Any]:
        if (
            not ticked
            and self.optional
            and (not self.spec.has_default or self.spec.default is None)
        ):
            return "omit", None  # an unticked Optional[Boolean] means "not given", not false
        if self.spec.has_default and same(ticked, self.spec.default):
            return "omit", None
        return "raw", TRUE if ticked else "false"

    def _json(self, text: str) -> tuple[str, Any]:
        try:
            value = json.loads(text)
        except (ValueError, RecursionError) as exc:
            return "error", bk.clip(f"Not valid JSON ({exc}).", 150)
        if not _fits(self.ptype, value):
            return "error", _expected(self.inner, self.spec.type)
        if self.spec.has_default and same(value, self.spec.default):
            return "omit", None
        return "json", value


def _fits(t: PType, value: Any) -> bool:
    try:
        return fits(t, value)
    except RecursionError:
        return False


def _shown(t: PType, value: Any) -> str | None:
    """The text that reads back as `value` through the slash command's conversion, if any."""
    if value is MISSING or value is None or isinstance(value, dict | list):
        return None
    text = str(value).lower() if isinstance(value, bool) else str(value)
    try:
        return text if same(convert(t, text), value) else None
    except (Misfit, RecursionError):
        return None


def _expected(inner: PType, spelled: str) -> str:
    if inner.name == "Pattern":
        shapes = [f"/{a.source}/" if isinstance(a, Regex) else a for a in inner.args]
        return bk.clip("Must match " + " or ".join(str(s) for s in shapes) + ".", 300)
    return bk.clip(f"Expected {spelled}.", 300)


def _example(inner: PType) -> str:
    if inner.name in ("Hash", "Struct"):
        return '{"key": "value"}'
    return '["a", "b"]' if inner.name in ("Array", "Tuple") else "JSON"


def widget_for(spec: ParamSpec, value: Any = MISSING) -> Widget:
    """The element a parameter becomes (see the table above); `value`, a value to show (Run
    again), turns a field that could not show it into JSON."""
    t = parse_type(spec.type)
    inner = unwrap(t)
    if spec.sensitive or inner.name == "Sensitive":
        return "sensitive"
    if inner.name in TARGET_TYPES:
        return "target"
    if _structured(t):
        return "json"
    kind: Widget = "text"
    if inner.name == "Boolean":
        kind = "checkbox"
    elif inner.name == "Enum":
        choices = _choices(inner)
        fit = 0 < len(choices) <= bk.MAX_OPTIONS and all(map(bk.fits_option, choices))
        folded = bool(inner.args) and inner.args[-1] is True
        kind = "select" if fit and not folded else "text"
    elif inner.name in ("Integer", "Float", "Numeric"):
        kind = "number"
    if value is not MISSING and value is not None and not _can_show(kind, t, value):
        return "json"
    return kind


def _can_show(kind: Widget, t: PType, value: Any) -> bool:
    if kind == "checkbox":
        return isinstance(value, bool)
    if kind == "select":
        return isinstance(value, str) and value in _choices(unwrap(t))
    return _shown(t, value) is not None


def param_fields(
    specs: dict[str, ParamSpec] | Any, subject: str, shown: dict[str, Any] | None = None
) -> list[ParamField]:
    """Every parameter as a field, in metadata order; `shown` holds values to show (Run again)."""
    shown = shown or {}
    return [
        ParamField(spec, subject, widget_for(spec, shown.get(name, MISSING)))
        for name, spec in specs.items()
    ]
