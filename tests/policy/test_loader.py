"""Loading policy.toml: every mistake is refused with the file, the line and the reason."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from policy import (
    PolicyError,
    default_policy,
    load_policy,
    parse_policy,
    policy_from_settings,
)
from policy.rules import DEFAULT_RULES
from tests.policy.helpers import NOBODY, subject

EXAMPLE = Path(__file__).resolve().parents[2] / "policy" / "example.toml"

GOOD_RULE = """\
[[rule]]
name = "first"
action = "run"
"""


def refused(text: str) -> PolicyError:
    with pytest.raises(PolicyError) as caught:
        parse_policy(textwrap.dedent(text))
    return caught.value


def test_error_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(
        GOOD_RULE + '\n[[rule]]\nname = "prod-deploys"\naction = "approve"\naprovers = ["U0BOB"]\n'
    )
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert str(caught.value) == (
        f'{path} line 8: rule "prod-deploys": unknown key "aprovers" (did you mean "approvers"?)'
    )
    assert (caught.value.path, caught.value.line) == (str(path), 8)


def test_toml_syntax_error_keeps_tomllibs_line() -> None:
    error = refused(GOOD_RULE + '\n[[rule]]\nname = "broken\n')
    assert error.line == 6
    assert str(error).startswith("policy.toml line 6: TOML syntax: ")
    assert "(column" in str(error)


def test_toml_syntax_error_at_the_end() -> None:
    error = refused('[[rule]]\nname = "x"\ncommands = ["deploy"')
    assert str(error).startswith("policy.toml line 3: TOML syntax: ")
    assert str(error).endswith("at the end of the file")


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ('comands = ["deploy"]', 4, 'unknown key "comands" (did you mean "commands"?)'),
        ("required = 2", 4, 'unknown key "required" (did you mean "approvals"?)'),
        ('commands = ["deploy", "tsk"]', 4, 'unknown command "tsk" (did you mean "task"?)'),
        ('commands = "deply"', 4, 'unknown command "deply" (did you mean "deploy"?)'),
        ("commands = 3", 4, 'commands: must be a list of strings, e.g. ["deploy", "task"]'),
        ("commands = []", 4, "an empty list matches nothing; leave the key out to match any"),
        ('environments = ["prod uction"]', 4, 'bad glob "prod uction": " " cannot appear'),
        ('environments = ["prod[uction"]', 4, '"[" is never closed with "]"'),
        ('environments = ["Production"]', 4, '"P" cannot appear in an environment name'),
        ('names = ["pack-age"]', 4, '"-" cannot appear in a task or plan name'),
        ('names = [""]', 4, "an empty name matches nothing"),
        ('channels = ["#prod"]', 4, '"#prod" is not a channel id'),
        ('noop = "yes"', 4, "noop: must be true or false, not 'yes'"),
        ("force = 1", 4, "force: must be true or false, not 1"),
        ("min_nodes = -1", 4, "min_nodes: must be 0 or more, not -1"),
        ("max_nodes = 2.5", 4, "max_nodes: must be a whole number of nodes, not 2.5"),
        ('requesters = ["bob"]', 4, '"bob" is not a user id (U012ABC), a user group id'),
        ('deny = ["<@U0BOB>"]', 4, '"<@U0BOB>" is Slack markup'),
        ("reason = ''", 4, "reason: must be a non-empty string"),
    ],
)
def test_semantic_errors_point_at_the_key(body: str, line: int, message: str) -> None:
    error = refused(f'# a comment\n[[rule]]\nname = "r1"\n{body}\naction = "run"\n')
    assert error.line == line
    assert str(error).startswith(f'policy.toml line {line}: rule "r1": ')
    assert message in str(error)


@pytest.mark.parametrize(
    ("body", "key_line", "message"),
    [
        ("approvals = 0", 4, "approvals: must be at least 1 (it is 0)"),
        ('expiry = "0m"', 4, "expiry: must be positive"),
        ("expiry = -5", 4, "expiry: must be positive"),
        ('expiry = "soon"', 4, '"soon" is not a duration'),
        ('approvers = ["U0A"]\napprovals = 2', 5, "approvals = 2 but only 1 approver named"),
        ('approvers = ["@sre"]\nself_approval = "no"', 5, "self_approval: must be true or false"),
    ],
)
def test_approval_errors(body: str, key_line: int, message: str) -> None:
    error = refused(f'\n[[rule]]\nname = "r1"\n{body}\naction = "approve"\n')
    assert error.line == key_line
    assert message in str(error)


@pytest.mark.parametrize(
    "key", ['approvers = ["U0BOB"]', "approvals = 2", "expiry = '1h'", "self_approval = true"]
)
@pytest.mark.parametrize("action", ["deny", "run"])
def test_approval_keys_need_action_approve(key: str, action: str) -> None:
    error = refused(f'[[rule]]\nname = "r1"\naction = "{action}"\n\n{key}\n')
    assert error.line == 5
    assert 'applies only when action = "approve"' in str(error)
    assert f'this rule\'s action is "{action}"' in str(error)


@pytest.mark.parametrize("key", ['requesters = ["@sre"]', 'deny = ["U0BOB"]'])
def test_people_lists_with_action_deny_are_refused(key: str) -> None:
    error = refused(f'[[rule]]\nname = "r1"\naction = "deny"\n{key}\n')
    assert error.line == 4
    assert 'with action = "deny" changes nothing' in str(error)


def test_list_item_errors_point_at_the_items_line() -> None:
    error = refused("""\
        [[rule]]
        name = "r1"
        action = "run"
        commands = [
            "deploy",
            "tsk",
        ]
    """)
    assert error.line == 6


def test_missing_action_and_name_point_at_the_rule() -> None:
    assert refused(GOOD_RULE + '[[rule]]\nname = "x"\n').line == 4
    error = refused(GOOD_RULE + '\n[[rule]]\naction = "run"\n')
    assert error.line == 5
    assert 'rule #2: missing key "name"' in str(error)


def test_unknown_action() -> None:
    error = refused('[[rule]]\nname = "r"\naction = "aprove"\n')
    assert error.line == 3
    assert '(did you mean "approve"?)' in str(error)


def test_duplicate_names() -> None:
    error = refused(GOOD_RULE + GOOD_RULE)
    assert error.line == 5
    assert "already used by the rule at line 1" in str(error)


def test_default_names_are_reserved() -> None:
    assert "kept for defaults" in str(refused('[[rule]]\nname = "default: x"\naction = "run"\n'))


def test_min_above_max() -> None:
    error = refused('[[rule]]\nname = "r"\naction = "run"\nmin_nodes = 9\nmax_nodes = 3\n')
    assert error.line == 5
    assert "max_nodes (3) is less than min_nodes (9)" in str(error)


@pytest.mark.parametrize(
    ("keys", "why"),
    [
        ('commands = ["stop"]\nenvironments = ["prod*"]', "only deploy, task and plan have an"),
        ('commands = ["deploy"]\nnames = ["x"]', "only task, plan, schedule and watch have a name"),
        ('commands = ["task_target"]\nnoop = true', "only deploy, task and plan are runs"),
        ('commands = ["deploy", "task"]\nforce = true', "only stop has --force"),
    ],
)
def test_keys_that_can_never_match(keys: str, why: str) -> None:
    error = refused(f'[[rule]]\nname = "r"\naction = "run"\n{keys}\n')
    assert error.line == 5
    assert why in str(error)


def test_top_level_keys_inside_a_rule() -> None:
    error = refused(GOOD_RULE + "defaults = false\n")
    assert str(error) == (
        'policy.toml line 4: rule "first": "defaults" is a top-level key; move it above the '
        "first [[rule]]"
    )


def test_top_level_errors() -> None:
    error = refused(GOOD_RULE + "\ndefault = false\n")
    # After the [[rule]] header, `default` belongs to the rule.
    assert 'unknown key "default"' in str(error)
    error = refused("defualts = false\n" + GOOD_RULE)
    assert (error.line, 'did you mean "defaults"?' in str(error)) == (1, True)
    assert refused('\ndefaults = "no"\n').line == 2
    error = refused('[rule]\nname = "x"\naction = "run"\n')
    assert "[[rule]] table (double brackets)" in str(error)
    error = refused('[[rules]]\nname = "x"\n')
    assert (error.line, 'did you mean "rule"?' in str(error)) == (1, True)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_bytes(b'[[rule]]\nname = "caf\xe9"\n')
    with pytest.raises(PolicyError, match=r"p.toml line 2: not UTF-8"):
        load_policy(path)


def test_unreadable(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read the policy file"):
        load_policy(tmp_path)


def test_example_file_loads_and_uses_every_key() -> None:
    p = load_policy(EXAMPLE)
    assert p.defaults and len(p.rules) == 13
    text = EXAMPLE.read_text()
    from policy.loader import RULE_KEYS

    for key in (*RULE_KEYS, "defaults"):
        assert f"\n{key} =" in text, key


def test_values_are_read() -> None:
    p = load_policy(EXAMPLE)
    big = p.rules[1]
    assert big.name == "large production enforcing runs"
    assert big.approvals == 2 and big.expiry == 7200 and big.min_nodes == 10
    headers = [
        n for n, line in enumerate(EXAMPLE.read_text().splitlines(), 1) if line == "[[rule]]"
    ]
    assert big.line == headers[1]
    assert p.decide(subject(node_count=None), NOBODY).rule == "large production enforcing runs"


def test_defaults_can_be_switched_off() -> None:
    assert parse_policy("defaults = false\n").defaults is False
    assert parse_policy("").chain == DEFAULT_RULES


def test_from_settings(tmp_path: Path) -> None:
    missing = tmp_path / "policy.toml"
    assert policy_from_settings(str(missing), explicit=False) == default_policy()
    with pytest.raises(PolicyError, match="POLICY_FILE names this file but it does not exist"):
        policy_from_settings(str(missing), explicit=True)
    missing.write_text(GOOD_RULE)
    for explicit in (True, False):
        assert policy_from_settings(str(missing), explicit=explicit).rules[0].name == "first"
