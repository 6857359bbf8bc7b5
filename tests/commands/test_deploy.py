"""/deploy: every key of POST /command/deploy reachable, every documented constraint checked."""

from __future__ import annotations

import pytest

from commands import parse
from commands.intents import RunDeploy
from orchestrator.requests import DeployRequest, Scope
from tests.commands.helpers import refused

GROUP = "00000000-0000-4000-8000-000000000000"


def deploy(text: str) -> DeployRequest:
    intent = parse("/deploy", text)
    assert isinstance(intent, RunDeploy)
    return intent.request


def test_every_flag_maps_to_its_documented_key() -> None:
    request = deploy(
        "production --nodes node1.example.com,node2.example.com --noop --concurrency 5 "
        "--tags ntp,ssh --tags motd --skip-tags mysql --description 'weekly run' "
        "--no-enforce-environment --debug --trace --evaltrace --filetimeout 10 "
        "--http-connect-timeout 11 --http-keepalive-timeout 12 --http-read-timeout 13 "
        "--ordering title-hash --use-cached-catalog --usecacheonfailure "
        "--userdata servicenow_ticket=INC0011211 --userdata team=web"
    )
    assert request == DeployRequest(
        environment="production",
        scope=Scope.nodes(("node1.example.com", "node2.example.com")),
        concurrency=5,
        debug=True,
        description="weekly run",
        enforce_environment=False,
        evaltrace=True,
        filetimeout=10,
        http_connect_timeout=11,
        http_keepalive_timeout=12,
        http_read_timeout=13,
        noop=True,
        ordering="title-hash",
        skip_tags="mysql",
        tags="ntp,ssh,motd",
        trace=True,
        use_cached_catalog=True,
        usecacheonfailure=True,
        userdata={"servicenow_ticket": "INC0011211", "team": "web"},
    )
    assert request.body() == {
        "environment": "production",
        "scope": {"nodes": ["node1.example.com", "node2.example.com"]},
        "concurrency": 5,
        "debug": True,
        "description": "weekly run",
        "enforce_environment": False,
        "evaltrace": True,
        "filetimeout": 10,
        "http_connect_timeout": 11,
        "http_keepalive_timeout": 12,
        "http_read_timeout": 13,
        "noop": True,
        "ordering": "title-hash",
        "skip_tags": "mysql",
        "tags": "ntp,ssh,motd",
        "trace": True,
        "use_cached_catalog": True,
        "usecacheonfailure": True,
        "userdata": {"servicenow_ticket": "INC0011211", "team": "web"},
    }


def test_minimal_deploy_sends_only_environment_and_scope() -> None:
    request = deploy("production --nodes web01.example.com")
    assert request.body() == {
        "environment": "production",
        "scope": {"nodes": ["web01.example.com"]},
    }


def test_no_noop_sets_no_noop() -> None:
    assert deploy("production --nodes a --no-noop").body()["no_noop"] is True


def test_enforce_environment_flag_sets_it_true() -> None:
    assert deploy("production --nodes a --enforce-environment").enforce_environment is True


def test_environment_may_be_given_with_dash_e() -> None:
    assert deploy("-e staging --nodes a").environment == "staging"
    assert deploy("--environment=staging --nodes a").environment == "staging"


def test_node_group_scope() -> None:
    assert deploy(f"production --node-group {GROUP}").body()["scope"] == {"node_group": GROUP}


def test_node_group_id_is_lower_cased() -> None:
    request = deploy(f"production --node-group {GROUP.upper().replace('-4000-', '-4ABC-')}")
    assert request.scope == Scope.node_group("00000000-0000-4abc-8000-000000000000")


def test_pql_query_is_sent_as_typed() -> None:
    request = deploy("production --query 'nodes[certname] { facts { name = \"os\" } }'")
    assert request.scope == Scope.query('nodes[certname] { facts { name = "os" } }')


def test_json_query_is_sent_as_a_list() -> None:
    request = deploy('production -q \'["from", "nodes", ["~", "certname", ".*"]]\'')
    assert request.body()["scope"] == {"query": ["from", "nodes", ["~", "certname", ".*"]]}


def test_bad_json_query_is_refused() -> None:
    error = refused("/deploy", "production --query '[\"from\", '")
    assert "not valid JSON" in error.message


def test_json_query_that_is_not_an_array_is_refused() -> None:
    assert "non-empty array" in refused("/deploy", "production --query '[]'").message


def test_empty_query_is_refused() -> None:
    assert "--query needs a query" in refused("/deploy", "production --query ''").message


def test_empty_environment_with_no_enforce_environment_is_the_documented_body() -> None:
    request = deploy(
        "'' --no-enforce-environment --noop --nodes node1.example.com "
        "--userdata servicenow_ticket=INC0011211"
    )
    assert request.body() == {
        "environment": "",
        "enforce_environment": False,
        "noop": True,
        "scope": {"nodes": ["node1.example.com"]},
        "userdata": {"servicenow_ticket": "INC0011211"},
    }


def test_omitted_environment_with_no_enforce_environment_is_empty() -> None:
    request = deploy("--no-enforce-environment --nodes a")
    assert (request.environment, request.enforce_environment) == ("", False)


def test_empty_environment_without_no_enforce_environment_is_refused() -> None:
    error = refused("/deploy", "'' --nodes a")
    assert "''" in error.message and "--no-enforce-environment" in error.message


def test_omitted_environment_is_refused() -> None:
    error = refused("/deploy", "--nodes a")
    assert "no environment" in error.message


def test_empty_environment_with_enforce_environment_is_refused() -> None:
    refused("/deploy", "'' --nodes a --enforce-environment")


def test_enforce_and_no_enforce_together_are_refused() -> None:
    error = refused(
        "/deploy", "production --nodes a --enforce-environment --no-enforce-environment"
    )
    assert "contradict" in error.message


def test_empty_environment_without_scope_is_refused() -> None:
    error = refused("/deploy", "'' --no-enforce-environment")
    assert "--node-group" in error.message


def test_noop_with_no_noop_is_refused() -> None:
    error = refused("/deploy", "production --nodes a --noop --no-noop")
    assert "--noop and --no-noop" in error.message


def test_missing_scope_is_refused_listing_the_three_forms() -> None:
    error = refused("/deploy", "production")
    for form in ("--nodes", "--query", "--node-group"):
        assert form in error.message


def test_two_scopes_are_refused_naming_both() -> None:
    error = refused("/deploy", f"production --nodes a --node-group {GROUP}")
    assert "'--nodes' and '--node-group'" in error.message


def test_empty_node_list_is_refused() -> None:
    assert "at least one node" in refused("/deploy", "production --nodes ,").message


def test_bad_node_name_is_named() -> None:
    error = refused("/deploy", "production --nodes 'web01,web/02'")
    assert "'web/02' is not a node name" in error.message


def test_bad_node_group_id_is_named() -> None:
    error = refused("/deploy", "production --node-group all-nodes")
    assert "'all-nodes' is not a node group id" in error.message


@pytest.mark.parametrize("env", ["Production", "prod-1", "staging!"])
def test_bad_environment_name_is_named(env: str) -> None:
    error = refused("/deploy", f"{env} --nodes a")
    assert f"'{env}' is not an environment name" in error.message


def test_environment_twice_is_refused() -> None:
    assert "given twice" in refused("/deploy", "production -e staging --nodes a").message


def test_extra_word_after_environment_is_named() -> None:
    error = refused("/deploy", "production web01.example.com")
    assert "'web01.example.com'" in error.message and "--nodes" in error.message


def test_unknown_ordering_is_refused() -> None:
    error = refused("/deploy", "production --nodes a --ordering alphabetical")
    assert "'alphabetical'" in error.message


def test_bad_tag_is_named() -> None:
    error = refused("/deploy", "production --nodes a --tags 'ntp,bad tag'")
    assert "'bad tag' is not a Puppet tag" in error.message


def test_empty_tags_are_refused() -> None:
    assert "at least one tag" in refused("/deploy", "production --nodes a --tags ''").message


def test_userdata_json_object_keeps_json_values() -> None:
    request = deploy('production --nodes a --userdata \'{"ticket": "INC1", "n": 2}\'')
    assert request.userdata == {"ticket": "INC1", "n": 2}


def test_userdata_key_value_stays_a_string() -> None:
    assert deploy("production --nodes a --userdata n=02").userdata == {"n": "02"}


def test_userdata_value_may_contain_equals_signs() -> None:
    assert deploy("production --nodes a --userdata q=a=b").userdata == {"q": "a=b"}


@pytest.mark.parametrize("value", ["ticket", "=x", "'[1]'", "'{bad'"])
def test_malformed_userdata_is_refused(value: str) -> None:
    assert "--userdata" in refused("/deploy", f"production --nodes a --userdata {value}").message


def test_userdata_key_twice_is_refused() -> None:
    error = refused("/deploy", "production --nodes a --userdata t=1 --userdata '{\"t\": 2}'")
    assert "'t' twice" in error.message


def test_auto_linked_node_names_deploy() -> None:
    request = deploy("production --nodes <http://web01.example.com|web01.example.com>")
    assert request.scope == Scope.nodes(("web01.example.com",))


def test_node_names_are_kept_as_typed() -> None:
    assert deploy("production --nodes Web01.Example.com").scope == Scope.nodes(
        ("Web01.Example.com",)
    )
