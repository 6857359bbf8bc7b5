"""Each matcher on its own, and first match wins."""

from __future__ import annotations

import pytest

from policy import Subject
from policy.rules import mismatches
from tests.policy.helpers import ALICE, NOBODY, policy, subject

MARK = 'name = "marked"\naction = "deny"\n'


def marked(keys: str, defaults: bool = True) -> str:
    """A one-rule policy that denies what `keys` match; everything else goes to the defaults."""
    return f"defaults = {str(defaults).lower()}\n[[rule]]\n{MARK}{keys}\n"


def rule_of(s: Subject, keys: str) -> str:
    return policy(marked(keys)).decide(s, NOBODY).rule


def hit(s: Subject, keys: str) -> bool:
    return rule_of(s, keys) == "marked"


def why_not(s: Subject, keys: str) -> list[str]:
    return mismatches(policy(marked(keys)).rules[0], s)


def test_first_match_wins() -> None:
    p = policy("""
        [[rule]]
        name = "first"
        environments = ["prod*"]
        action = "deny"
        [[rule]]
        name = "second"
        environments = ["production"]
        action = "run"
    """)
    assert p.decide(subject(), NOBODY).rule == "first"
    assert p.decide(subject(environment="staging"), NOBODY).rule.startswith("default:")


def test_file_rules_come_before_the_defaults() -> None:
    p = policy('[[rule]]\nname = "open"\naction = "run"\n')
    assert p.decide(subject(), NOBODY).action == "run"
    assert p.decide(Subject("stop", ALICE, "C1", force=True), NOBODY).rule == "open"


def test_with_defaults_off_an_unmatched_request_is_denied() -> None:
    p = policy(marked('environments = ["dev"]', defaults=False))
    decision = p.decide(subject(environment="staging", noop=True), NOBODY)
    assert (decision.action, decision.rule) == ("deny", "default: no rule matched")
    assert "defaults are switched off" in decision.reason


def test_commands() -> None:
    assert hit(subject(command="task", name="x"), 'commands = ["task", "plan"]')
    assert not hit(subject(), 'commands = ["task", "plan"]')
    assert why_not(subject(), 'commands = ["task"]') == ["command is deploy, rule wants task"]
    assert hit(Subject("task_target", ALICE, "C1"), 'commands = ["task_target"]')


def test_a_single_string_is_a_one_item_list() -> None:
    assert hit(subject(command="task"), 'commands = "task"')


@pytest.mark.parametrize(
    ("environment", "globs", "expected"),
    [
        ("production", '["production*"]', True),
        ("production_eu", '["production_??"]', True),
        ("staging", '["production*"]', False),
        ("prod1", '["prod[0-9]"]', True),
        ("prodx", '["prod[!x]"]', False),
        ("Production", '["production"]', False),
        ("", '["production*"]', True),
        (None, '["production*"]', True),
        ("", '["dev*"]', False),
        ("", '[""]', True),
        ("production", '[""]', False),
        ("anything", '["*"]', True),
    ],
)
def test_environment_globs(environment: str | None, globs: str, expected: bool) -> None:
    assert hit(subject(environment=environment), f"environments = {globs}") is expected


def test_environment_mismatch_reasons() -> None:
    assert why_not(subject(environment="staging"), 'environments = ["dev*"]') == [
        "environment is staging, rule wants dev*"
    ]
    assert "counted as production" in why_not(subject(environment=""), 'environments = ["dev"]')[0]
    stop = Subject("stop", ALICE, "C0PROD")
    assert why_not(stop, 'environments = ["*"]') == ["stop has no environment, rule wants *"]


def test_channels() -> None:
    assert hit(subject(channel_id="C0PROD"), 'channels = ["C0DEV", "C0PROD"]')
    assert why_not(subject(channel_id="C0DEV"), 'channels = ["C0PROD"]') == [
        "channel is C0DEV, rule wants C0PROD"
    ]


def test_names() -> None:
    keys = 'names = ["package", "profile::*"]'
    assert hit(subject(command="task", name="package"), keys)
    assert hit(subject(command="plan", name="profile::web"), keys)
    assert not hit(subject(command="task", name="service"), keys)
    assert not hit(subject(command="task", name=None), keys)
    assert why_not(subject(), keys) == [
        "deploy has no task or plan name, rule wants package or profile::*"
    ]
    assert why_not(subject(command="task", name="service"), keys) == [
        "task name is service, rule wants package or profile::*"
    ]


def test_noop() -> None:
    assert hit(subject(noop=True), "noop = true")
    assert not hit(subject(noop=False), "noop = true")
    assert hit(subject(noop=False), "noop = false")
    assert why_not(subject(noop=True), "noop = false") == [
        "this is a noop run, rule wants enforcing runs"
    ]
    # A stop is not a run: a rule about enforcing runs leaves it alone.
    assert not hit(Subject("stop", ALICE, "C0PROD"), "noop = false")


def test_force() -> None:
    assert hit(Subject("stop", ALICE, "C0PROD", force=True), "force = true")
    assert not hit(Subject("stop", ALICE, "C0PROD"), "force = true")
    assert hit(Subject("stop", ALICE, "C0PROD"), "force = false")
    assert not hit(subject(), "force = false")


@pytest.mark.parametrize(
    ("count", "keys", "expected"),
    [
        (10, "min_nodes = 10", True),
        (9, "min_nodes = 10", False),
        (None, "min_nodes = 10", True),
        (0, "min_nodes = 1", False),
        (0, "max_nodes = 5", True),
        (5, "max_nodes = 5", True),
        (6, "max_nodes = 5", False),
        (None, "max_nodes = 5", False),
        (-3, "max_nodes = 5", False),
        (7, "min_nodes = 5\nmax_nodes = 9", True),
        (10, "min_nodes = 5\nmax_nodes = 9", False),
    ],
)
def test_target_size(count: int | None, keys: str, expected: bool) -> None:
    assert hit(subject(node_count=count), keys) is expected


def test_unknown_size_counts_as_large_in_the_reason() -> None:
    assert why_not(subject(node_count=None), "max_nodes = 5") == [
        "target size is unknown (counted as large), rule wants at most 5"
    ]
    assert why_not(subject(node_count=1), "min_nodes = 3") == [
        "target is 1 node, rule wants at least 3"
    ]


def test_all_mismatches_are_listed() -> None:
    keys = 'environments = ["dev"]\nchannels = ["C0DEV"]\nnoop = true'
    assert len(why_not(subject(), keys)) == 3


def test_a_wrong_command_hides_the_implied_reasons() -> None:
    keys = 'commands = ["stop"]\nforce = true'
    assert why_not(subject(), keys) == ["command is deploy, rule wants stop"]
