"""Forms instead of syntax: Block Kit modals built from task and plan metadata, read back into
the very intents the slash commands parse to. Pure: data in, data out; no Slack, no HTTP.

Build (each returns a view for views.open / views.update):
    task_form(info | None, environment=, options=FormOptions(...), prefill=, extra=)
    plan_form(info | None, environment=, options=, prefill=, extra=)
    deploy_form(environment=, options=, prefill=, extra=)
Read a view_submission's view.state.values (→ Submission, or FormErrors to ack with):
    read_task_form(values, info, options=, now=, zone=)
    read_plan_form(values, info, now=, zone=)
    read_deploy_form(values, now=, zone=)
Context: FormContext.decode(view["private_metadata"]) says kind, subject and environment.
Run again: prefill_from_body(endpoint, body) → Prefill for the builders.
Type-ahead: suggest(names, query), suggest_groups(groups, query) → the block_suggestion ack.
Conventions of block_id/action_id: forms/ids.py. Types → elements: forms/fields.py.
"""

from __future__ import annotations

from forms.deploy import deploy_form, read_deploy_form
from forms.ids import CALLBACKS, FormContext
from forms.options import suggest, suggest_groups
from forms.plan import plan_form, read_plan_form
from forms.prefill import Prefill, prefill_from_body
from forms.result import FormErrors, FormOptions, NodeGroupChoice, Submission
from forms.task import read_task_form, task_form

__all__ = [
    "CALLBACKS",
    "FormContext",
    "FormErrors",
    "FormOptions",
    "NodeGroupChoice",
    "Prefill",
    "Submission",
    "deploy_form",
    "plan_form",
    "prefill_from_body",
    "read_deploy_form",
    "read_plan_form",
    "read_task_form",
    "suggest",
    "suggest_groups",
    "task_form",
]
