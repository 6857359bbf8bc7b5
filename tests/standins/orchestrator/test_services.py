"""PuppetDB and the classifier on the simulator's port: the bodies the bot resolves targets from."""

from __future__ import annotations

import json
from dataclasses import replace

import httpx
import pytest

from standins.orchestrator import Simulator, default_world
from standins.orchestrator.default_world import ALL_NODES, LB_GROUP, PINNED_GROUP
from standins.orchestrator.services import change_nodes
from standins.orchestrator.world_json import world_from_dict

TOKEN = {"X-Authentication": "demo-token"}


@pytest.fixture
def sim() -> Simulator:
    return Simulator(default_world())


def client(sim: Simulator) -> httpx.Client:
    return httpx.Client(transport=sim.transport(), base_url="http://sim.test")


def test_pql_on_the_root_endpoint_returns_the_extracted_fields(sim: Simulator) -> None:
    r = client(sim).get(
        "/pdb/query/v4",
        params={"query": 'nodes[certname, catalog_environment] { certname ~ "^lb" }'},
        headers=TOKEN,
    )
    assert r.status_code == 200
    assert r.json() == [
        {"certname": "lb01.example.com", "catalog_environment": "production"},
        {"certname": "lb02.example.com", "catalog_environment": "production"},
    ]


def test_an_ast_in_a_post_body_and_the_three_environments(sim: Simulator) -> None:
    query = [
        "from",
        "nodes",
        [
            "extract",
            ["certname", "catalog_environment", "facts_environment", "report_environment"],
            ["in", "certname", ["array", ["app08.example.com", "ghost.example.com"]]],
        ],
    ]
    r = client(sim).post("/pdb/query/v4", json={"query": query}, headers=TOKEN)
    # app08 was moved to development; its last report still came from production.
    assert r.json() == [
        {
            "certname": "app08.example.com",
            "catalog_environment": "development",
            "facts_environment": "development",
            "report_environment": "production",
        }
    ]


def test_the_nodes_endpoint_takes_an_ast_without_from(sim: Simulator) -> None:
    r = client(sim).get(
        "/pdb/query/v4/nodes",
        params={"query": json.dumps(["=", "certname", "db01.example.com"])},
        headers=TOKEN,
    )
    (row,) = r.json()
    assert row["certname"] == "db01.example.com" and row["deactivated"] is None


def test_a_query_puppetdb_cannot_parse_is_a_plain_text_400(sim: Simulator) -> None:
    # As the recorded PE 2016 bodies show (pe-bodies/jenkins-pe-plugin/*_bad_query.json).
    r = client(sim).get("/pdb/query/v4", params={"query": "nodes badquery {}"}, headers=TOKEN)
    assert r.status_code == 400
    assert r.headers["content-type"] == "text/plain" and "parse error" in r.text


def test_puppetdb_and_the_classifier_take_the_same_token(sim: Simulator) -> None:
    for path in (
        "/pdb/query/v4?query=nodes[certname]{}",
        f"/classifier-api/v1/groups/{LB_GROUP}/rules",
    ):
        assert client(sim).get(path).json()["kind"] == "puppetlabs.rbac/user-unauthenticated"
        bad = client(sim).get(path, headers={"X-Authentication": "nope"})
        assert (bad.status_code, bad.json()["kind"]) == (401, "puppetlabs.rbac/invalid-token")


def test_puppetdb_goes_down_alone(sim: Simulator) -> None:
    sim.set_faults(puppetdb_unreachable=True)
    assert (
        client(sim).get("/pdb/query/v4?query=nodes[certname]{}", headers=TOKEN).status_code == 503
    )
    assert (
        client(sim).get(f"/classifier-api/v1/groups/{LB_GROUP}/rules", headers=TOKEN).status_code
        == 200
    )


def test_group_rules_translate_patterns_and_pinned_nodes(sim: Simulator) -> None:
    lb = client(sim).get(f"/classifier-api/v1/groups/{LB_GROUP}/rules", headers=TOKEN).json()
    assert lb["rule"] == ["~", "name", "^lb.*$"]
    assert lb["translated"]["nodes_query_format"] == ["~", "certname", "^lb.*$"]
    pinned = client(sim).get(f"/classifier-api/v1/groups/{PINNED_GROUP}/rules", headers=TOKEN)
    assert pinned.json()["translated"]["nodes_query_format"] == [
        "or",
        ["=", "certname", "web01.example.com"],
        ["=", "certname", "app01.example.com"],
    ]
    everyone = client(sim).get(f"/classifier-api/v1/groups/{ALL_NODES}/rules", headers=TOKEN)
    assert everyone.json()["translated"]["nodes_query_format"] == ["~", "certname", "^.*$"]


def test_an_untranslatable_group_answers_translated_null() -> None:
    group = {"id": "6f1a6b5e-0c3d-4b1e-9a53-3c0c5e1b2aaa", "name": "Trusted", "nodes": ["web*"],
             "translatable": False}  # fmt: skip
    sim = Simulator(world_from_dict({"node_groups": [group]}))
    r = client(sim).get(f"/classifier-api/v1/groups/{group['id']}/rules", headers=TOKEN)
    assert r.json()["translated"] is None and r.json()["rule"] == ["~", "name", "^web.*$"]


@pytest.mark.parametrize(
    "group, status, kind",
    [("6f1a6b5e-0c3d-4b1e-9a53-3c0c5e1b2aff", 404, "not-found"), ("nope", 400, "malformed-uuid")],
)
def test_an_unknown_or_malformed_group(sim: Simulator, group: str, status: int, kind: str) -> None:
    r = client(sim).get(f"/classifier-api/v1/groups/{group}/rules", headers=TOKEN)
    assert (r.status_code, r.json()["kind"]) == (status, kind)


def test_requests_are_counted_per_service(sim: Simulator) -> None:
    client(sim).post("/pdb/query/v4", json={"query": "nodes[certname]{}"}, headers=TOKEN)
    client(sim).get(f"/classifier-api/v1/groups/{LB_GROUP}/rules", headers=TOKEN)
    routes = sim.stats()["routes"]
    assert routes["POST /pdb/query/v4"]["requests"] == 1
    assert routes["GET /classifier-api/v1"]["requests"] == 1


def test_a_node_that_joins_or_moves_is_seen_at_once(sim: Simulator) -> None:
    web04 = sim.world.node("web04.example.com")
    assert web04 is not None
    change_nodes(
        sim, replace(web04, environment="staging"), replace(web04, certname="new.example.com")
    )
    r = client(sim).get(
        "/pdb/query/v4",
        params={"query": 'nodes[certname, catalog_environment] { certname ~ "web04|new" }'},
        headers=TOKEN,
    )
    assert {row["certname"]: row["catalog_environment"] for row in r.json()} == {
        "web04.example.com": "staging",
        "new.example.com": "production",
    }


def test_a_world_file_sets_the_facts_and_report_environments() -> None:
    node = {"certname": "moved.example.com", "environment": "development",
            "facts_environment": "production"}  # fmt: skip
    sim = Simulator(world_from_dict({"nodes": [node]}))
    r = client(sim).get("/pdb/query/v4", params={"query": "nodes[certname, facts_environment, "
                        "report_environment] { }"}, headers=TOKEN)  # fmt: skip
    assert r.json() == [
        {
            "certname": "moved.example.com",
            "facts_environment": "production",
            "report_environment": "development",
        }
    ]
