"""The PuppetDB and classifier clients: against the simulator, and against real PE bodies."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from orchestrator.classifier import ClassifierClient
from orchestrator.errors import AuthenticationFailed, QueryError, Rejected, Unavailable
from orchestrator.puppetdb import PuppetDBClient, certname_lookup
from standins.orchestrator import Simulator, default_world
from standins.orchestrator.default_world import LB_GROUP

# Real bodies, read from the shared reference (never copied into the project).
BODIES = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "pe-bodies"
JENKINS = BODIES / "jenkins-pe-plugin"


def pdb(transport: httpx.BaseTransport, token: str = "demo-token") -> PuppetDBClient:
    return PuppetDBClient(httpx.Client(transport=transport), "https://pe.test:8081", token,
                          sleep=lambda s: None)  # fmt: skip


@pytest.fixture
def sim() -> Simulator:
    return Simulator(default_world())


def test_a_query_gives_its_certnames_in_puppetdb_order(sim: Simulator) -> None:
    names = pdb(sim.transport()).certnames('inventory[certname] { facts.role = "lb" }')
    assert names == ["lb01.example.com", "lb02.example.com"]


def test_rows_without_a_certname_name_no_nodes(sim: Simulator) -> None:
    with pytest.raises(QueryError, match="no certname"):
        pdb(sim.transport()).certnames('facts[name] { name = "kernel" }')


def test_a_lookup_sends_names_as_values_so_a_name_cannot_change_the_query(sim: Simulator) -> None:
    hostile = 'x" or certname ~ ".*'
    client = pdb(sim.transport())
    assert client.nodes([hostile]) == {}
    assert certname_lookup([hostile])[2][2] == ["in", "certname", ["array", [hostile]]]
    known = client.nodes(["db01.example.com", "ghost.example.com"])
    assert list(known) == ["db01.example.com"]
    assert known["db01.example.com"].catalog_environment == "production"


def test_lookups_go_in_batches(sim: Simulator) -> None:
    names = [f"n{i}.example.com" for i in range(1200)] + ["web01.example.com"]
    assert list(pdb(sim.transport()).nodes(names)) == ["web01.example.com"]
    assert sim.stats()["routes"]["POST /pdb/query/v4"]["requests"] == 3


def test_puppetdb_down_is_unavailable_after_retries(sim: Simulator) -> None:
    sim.set_faults(puppetdb_unreachable=True)
    with pytest.raises(Unavailable, match="PuppetDB answered HTTP 503"):
        pdb(sim.transport()).nodes(["web01.example.com"])
    assert sim.stats()["routes"]["POST /pdb/query/v4"]["requests"] == 3


def test_the_classifier_gives_a_groups_nodes_query(sim: Simulator) -> None:
    http = httpx.Client(transport=sim.transport())
    classifier = ClassifierClient(http, "https://pe.test:4433", "demo-token", sleep=lambda s: None)
    rules = classifier.group_rules(LB_GROUP)
    assert rules.nodes_query == ["~", "certname", "^lb.*$"]
    assert list(pdb(sim.transport()).nodes_where(rules.nodes_query)) == [
        "lb01.example.com",
        "lb02.example.com",
    ]
    with pytest.raises(Rejected) as caught:
        classifier.group_rules("6f1a6b5e-0c3d-4b1e-9a53-3c0c5e1b2aff")
    assert (caught.value.status, caught.value.short_kind) == (404, "not-found")


def _recorded(name: str, status: int, content_type: str) -> httpx.MockTransport:
    path = JENKINS / name
    if not path.exists():
        pytest.skip(f"the PE reference bodies are not here ({BODIES}); they are read, not copied")
    body = path.read_bytes()
    return httpx.MockTransport(
        lambda request: httpx.Response(status, content=body, headers={"content-type": content_type})
    )


def test_real_puppetdb_node_rows_parse() -> None:
    # pe-bodies/jenkins-pe-plugin/2016.4_pdb_query_v4_node_results.json: PE 2016.4's PuppetDB.
    client = pdb(_recorded("2016.4_pdb_query_v4_node_results.json", 200, "application/json"))
    known = client.nodes(["gitlab.inf.puppet.vm", "master.inf.puppet.vm"])
    record = known["gitlab.inf.puppet.vm"]
    assert (record.catalog_environment, record.facts_environment, record.report_environment) == (
        "production",
        "production",
        "production",
    )


def test_real_puppetdb_refusals_map_to_the_error_tree() -> None:
    # The bad query is plain text; the expired token is an RBAC error body (PE 2016.4).
    bad = pdb(_recorded("2016.4_pdb_query_v4_bad_query.json", 400, "text/plain"))
    with pytest.raises(QueryError, match="PQL parse error"):
        bad.certnames("nodes badquery {}")
    expired = pdb(_recorded("2016.4_pdb_query_v4_expired_token.json", 401, "application/json"))
    with pytest.raises(AuthenticationFailed) as caught:
        expired.nodes(["a"])
    assert caught.value.kind == "puppetlabs.rbac/token-expired"
    assert json.loads((JENKINS / "2016.4_pdb_query_v4_expired_token.json").read_text())["msg"]
