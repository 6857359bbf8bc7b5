"""Resolving what a request reaches with PuppetDB and the classifier (the simulator's)."""

from __future__ import annotations

import httpx
import pytest

from commands.intents import UsageError
from flows.targets import Resolver
from orchestrator.classifier import ClassifierClient
from orchestrator.puppetdb import PuppetDBClient
from orchestrator.requests import (
    DeployRequest,
    EnvironmentPlanRunRequest,
    PlanRunRequest,
    Scope,
    StopRequest,
    TaskRequest,
)
from standins.orchestrator import Simulator, default_world
from standins.orchestrator.default_world import ALL_NODES, LB_GROUP
from standins.orchestrator.world_json import world_from_dict

UNTRANSLATABLE = "6f1a6b5e-0c3d-4b1e-9a53-3c0c5e1b2aaa"


@pytest.fixture
def sim() -> Simulator:
    groups = default_world().node_groups
    data = {
        "node_groups": [
            {"id": g.id, "name": g.name, "rules": g.rules, "nodes": list(g.nodes)} for g in groups
        ]
        + [{"id": UNTRANSLATABLE, "name": "Trusted", "nodes": ["db*"], "translatable": False}]
    }
    return Simulator(world_from_dict(data))


def resolver(sim: Simulator, *, puppetdb: bool = True, classifier: bool = True) -> Resolver:
    http = httpx.Client(transport=sim.transport())
    quiet = {"sleep": lambda s: None}
    return Resolver(
        PuppetDBClient(http, "http://sim.test", "demo-token", **quiet) if puppetdb else None,
        ClassifierClient(http, "http://sim.test", "demo-token", **quiet) if classifier else None,
    )


def deploy(scope: Scope) -> DeployRequest:
    return DeployRequest(environment="development", scope=scope, enforce_environment=False)


def envs(reach) -> dict[str, str]:
    return {n.certname: n.environment for n in reach.nodes}


def test_a_node_list_is_looked_up_and_kept_as_typed(sim: Simulator) -> None:
    request = deploy(Scope.nodes(["web09.example.com", "db01.example.com", "ghost.example.com"]))
    resolved = resolver(sim).resolve(request)
    assert resolved.request == request
    assert envs(resolved.reach) == {
        "web09.example.com": "development",
        "db01.example.com": "production",
        "ghost.example.com": "production",
    }
    assert resolved.reach.doubtful()[0].why == "PuppetDB does not know this node"


def test_a_query_is_pinned_to_the_nodes_it_names(sim: Simulator) -> None:
    resolved = resolver(sim).resolve(deploy(Scope.query('nodes[certname] { certname ~ "^lb" }')))
    assert resolved.request.scope == Scope.nodes(["lb01.example.com", "lb02.example.com"])
    assert resolved.reach.pinned and resolved.reach.target.startswith("query nodes[certname]")


def test_a_node_group_is_pinned_through_the_classifier(sim: Simulator) -> None:
    resolved = resolver(sim).resolve(deploy(Scope.node_group(LB_GROUP)))
    assert resolved.request.scope == Scope.nodes(["lb01.example.com", "lb02.example.com"])
    everything = resolver(sim).resolve(deploy(Scope.node_group(ALL_NODES)))
    assert len(everything.reach.nodes) == len(sim.world.nodes)


@pytest.mark.parametrize(
    "scope, puppetdb, classifier, unknown",
    [
        (Scope.node_group(UNTRANSLATABLE), True, True, "cannot be translated"),
        (Scope.node_group(LB_GROUP), True, False, "PE_CLASSIFIER_URL=off"),
        (Scope.query("nodes[certname] { }"), False, True, "PUPPETDB_URL=off"),
        (Scope.nodes(["web09.example.com"]), False, True, "PUPPETDB_URL=off"),
    ],
)
def test_what_cannot_be_resolved_is_unknown_and_not_pinned(
    sim: Simulator, scope: Scope, puppetdb: bool, classifier: bool, unknown: str
) -> None:
    request = deploy(scope)
    resolved = resolver(sim, puppetdb=puppetdb, classifier=classifier).resolve(request)
    assert unknown in (resolved.reach.unknown or "")
    assert resolved.request == request and not resolved.reach.pinned
    assert all(n.environment == "production" for n in resolved.reach.counted())


def test_puppetdb_down_counts_every_node_as_production(sim: Simulator) -> None:
    sim.set_faults(puppetdb_unreachable=True)
    reach = resolver(sim).resolve(deploy(Scope.nodes(["web09.example.com"]))).reach
    assert "PuppetDB could not be asked" in (reach.unknown or "")
    assert envs(reach) == {"web09.example.com": "production"}


@pytest.mark.parametrize(
    "scope, words",
    [
        (Scope.query('nodes[certname] { certname = "ghost" }'), "matches no node"),
        (Scope.query("nodes[certname] { bogus !! }"), "PuppetDB refused the query"),
        (Scope.node_group("6f1a6b5e-0c3d-4b1e-9a53-3c0c5e1b2aff"), "no node group"),
    ],
)
def test_a_target_that_names_nothing_is_a_usage_error(
    sim: Simulator, scope: Scope, words: str
) -> None:
    with pytest.raises(UsageError, match=words):
        resolver(sim).resolve(deploy(scope))


def test_via_hosts_count_as_production_without_a_lookup(sim: Simulator) -> None:
    task = TaskRequest(environment="development", task="facts", params={},
                       scope=Scope.nodes(["web09.example.com"]))  # fmt: skip
    reach = resolver(sim).resolve(task, via="linux").reach
    assert envs(reach) == {"web09.example.com": "production"}
    assert "pdb" not in str(sim.stats()["routes"])


def test_a_plans_target_parameters_are_resolved_and_it_stays_a_plan(sim: Simulator) -> None:
    params = {"nodes": "web09.example.com,web10.example.com", "command": "db01.example.com"}
    plain = PlanRunRequest(plan_name="canary", params=params)
    reach = resolver(sim).resolve(plain, target_params=("nodes",)).reach
    assert envs(reach) == {"web09.example.com": "development", "web10.example.com": "development"}
    assert reach.plan == "canary" and reach.counted()[0].environment == "production"
    scoped = EnvironmentPlanRunRequest(
        plan_name="example_plan",
        params={"targets": {"type": "query", "value": 'nodes[certname] { certname ~ "^lb" }'},
                "message": {"value": "hi"}},
    )  # fmt: skip
    resolved = resolver(sim).resolve(scoped)
    assert resolved.request.params["targets"] == {"value": ["lb01.example.com", "lb02.example.com"]}
    assert resolved.request.params["message"] == {"value": "hi"} and resolved.reach.pinned


def test_a_stop_reaches_no_node(sim: Simulator) -> None:
    reach = resolver(sim).resolve(StopRequest(job="1")).reach
    assert reach.nodes == () and reach.unknown is None
    assert sim.stats()["routes"] == {}
