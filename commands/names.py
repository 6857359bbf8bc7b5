"""The shapes of the names typed into commands: environments, tasks, plans, nodes, groups, jobs."""

from __future__ import annotations

import re

from commands.grammar import Form, q, suggest

_ENVIRONMENT = re.compile(r"[a-z0-9_]+")  # Puppet's own rule for environment names
_SEGMENT = r"[a-z][a-z0-9_]*"
_TASK = re.compile(rf"{_SEGMENT}(?:::{_SEGMENT})?")
_PARAM = re.compile(_SEGMENT)
_CERTNAME = re.compile(r"[A-Za-z0-9._-]+")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
# PE job ids are integers the orchestrator counts up from 1: 18 digits is beyond any real one.
_JOB = re.compile(r"[0-9]{1,18}")
_PROFILE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def environment(word: str, form: Form) -> str:
    if not _ENVIRONMENT.fullmatch(word):
        raise form.error(
            f"{q(word)} is not an environment name: use lower-case letters, digits and _ "
            "(e.g. production)."
        )
    return word


def task_name(word: str, form: Form, what: str = "task") -> str:
    """`module` or `module::name`, each part a lower-case letter then letters, digits or _."""
    if not _TASK.fullmatch(word):
        raise form.error(
            f"{q(word)} is not a {what} name: write module or module::name in lower-case "
            "letters, digits and _ (e.g. package, service, canary::random)."
        )
    return word


def certname(word: str, form: Form) -> str:
    # Kept as typed: certnames are case-sensitive in PuppetDB, so lower-casing could miss a node.
    if not _CERTNAME.fullmatch(word):
        raise form.error(
            f"{q(word)} is not a node name: use letters, digits, '.', '-' and '_' "
            "(e.g. web01.example.com); separate nodes with commas."
        )
    return word


def node_group_id(word: str, form: Form) -> str:
    if not _UUID.fullmatch(word):
        raise form.error(
            f"{q(word)} is not a node group id: use the group's UUID from the console "
            "(e.g. 00000000-0000-4000-8000-000000000000)."
        )
    # UUIDs are case-insensitive and the classifier stores them in lower case.
    return word.lower()


def job_id(word: str, form: Form, what: str = "job", choices: tuple[str, ...] = ()) -> str:
    if not _JOB.fullmatch(word):
        too_long = word.isdigit() and word.isascii()
        raise form.error(
            (
                f"{q(word[:24] + '…')} is not a {what} id: ids are at most 18 digits."
                if too_long
                else f"{q(word)} is not a {what} id: use the number the bot posted (e.g. 1234)."
            )
            + ("" if too_long else suggest(word, choices))
        )
    return word


def param_name(word: str, form: Form) -> str:
    if not _PARAM.fullmatch(word):
        raise form.error(
            f"{q(word)} is not a parameter name: start with a lower-case letter, then "
            "lower-case letters, digits or _ (e.g. action=install)."
        )
    return word


def profile(word: str, form: Form) -> str:
    if not _PROFILE.fullmatch(word):
        raise form.error(
            f"{q(word)} is not a connection profile name: use a name from the bot's "
            "connections file (letters, digits, '.', '-', '_')."
        )
    return word
