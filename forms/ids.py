"""block_id / action_id conventions of the forms, and the context kept in private_metadata.

Every input block holds one element, so a form is read by block_id alone:

| block_id | field |
| --- | --- |
| `ctx:channel` | the conversation the run belongs to (conversations_select) |
| `ctx:environment` | the environment (static select, or text when there is no list) |
| `ctx:subject` | the task or plan (external select, type-ahead) |
| `param:<name>` | a task or plan parameter |
| `target:nodes`, `target:query`, `target:node_group` | a task's or deploy's nodes |
| `target:<param>:nodes` / `:query` / `:node_group` | a plan's TargetSpec parameter |
| `opt:noop`, `opt:timeout`, `opt:description`, `opt:at`, `opt:every`, `opt:via` | options |
| `deploy:<option>` | the deploy command's own options (mode, concurrency, tags, ...) |

action_ids are `value`, except a parameter's, which is `v-<digest>` of the subject, the name
and the type: Slack keeps what was typed across views.update only while block_id *and*
action_id are unchanged, so a parameter of another task never inherits a stale value.
The elements whose change rebuilds the form (ctx:environment, ctx:subject) set
dispatch_action, so Slack sends block_actions with action_id `value` at once.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["task", "plan", "deploy"]
KINDS: tuple[Kind, ...] = ("task", "plan", "deploy")

VALUE = "value"
CHANNEL = "ctx:channel"
ENVIRONMENT = "ctx:environment"
SUBJECT = "ctx:subject"
NOOP = "opt:noop"
TIMEOUT = "opt:timeout"
DESCRIPTION = "opt:description"
AT = "opt:at"
EVERY = "opt:every"
VIA = "opt:via"
CALLBACKS: dict[Kind, str] = {"task": "form_task", "plan": "form_plan", "deploy": "form_deploy"}
METADATA_LIMIT = 3000  # Slack's limit on private_metadata


def param_block(name: str) -> str:
    return f"param:{name}"


def param_action(subject: str, name: str, type_: str) -> str:
    digest = hashlib.sha1(f"{subject}\0{name}\0{type_}".encode()).hexdigest()[:10]
    return f"v-{digest}"


def target_block(part: str, param: str | None = None) -> str:
    """`part` is nodes, query or node_group; `param` names a plan's target parameter."""
    return f"target:{param}:{part}" if param else f"target:{part}"


def deploy_block(option: str) -> str:
    return f"deploy:{option}"


@dataclass(frozen=True)
class FormContext:
    """What a form is for, carried in private_metadata: the kind, the task or plan chosen, the
    environment its metadata came from, and `extra` for the caller (e.g. a request to re-run)."""

    kind: Kind
    subject: str | None = None
    environment: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def encode(self) -> str:
        data: dict[str, Any] = {
            "v": 1,
            "kind": self.kind,
            "subject": self.subject,
            "env": self.environment,
        }
        if self.extra:
            data["extra"] = self.extra
        text = json.dumps(data, separators=(",", ":"), sort_keys=True)
        if len(text) > METADATA_LIMIT:
            raise ValueError(f"form context is {len(text)} characters; Slack keeps 3000")
        return text

    @classmethod
    def decode(cls, text: str | None) -> FormContext:
        """The context back from a payload's view.private_metadata; ValueError if it is not one
        of ours (a forged or foreign view)."""
        try:
            data = json.loads(text or "")
        except ValueError as exc:
            raise ValueError("not a form's private_metadata") from exc
        if not isinstance(data, dict) or data.get("v") != 1 or data.get("kind") not in KINDS:
            raise ValueError("not a form's private_metadata")
        subject, env, extra = data.get("subject"), data.get("env"), data.get("extra") or {}
        if not isinstance(extra, dict) or not all(
            v is None or isinstance(v, str) for v in (subject, env)
        ):
            raise ValueError("not a form's private_metadata")
        return cls(data["kind"], subject, env, extra)
