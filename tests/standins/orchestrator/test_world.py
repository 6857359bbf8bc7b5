"""World loading: JSON files, defaults for left-out sections, the generator, and bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from standins.orchestrator import WorldError, default_world, load_world, world_from_dict
from standins.orchestrator.default_world import ALL_NODES, PINNED_GROUP


def test_left_out_sections_come_from_the_default_world(tmp_path: Path) -> None:
    path = tmp_path / "world.json"
    path.write_text(json.dumps({"nodes": [{"certname": "a.example.com", "outcome": "changed"}]}))
    world = load_world(path)
    assert [n.certname for n in world.nodes] == ["a.example.com"]
    assert world.node("a.example.com").environment == "production"
    assert world.task("production", "package") is not None
    assert world.plan("production", "canary") is not None
    assert world.group(ALL_NODES).members(world.nodes) == ["a.example.com"]
    assert world.user("viewer-token").login == "viewer"


def test_generate_builds_a_large_world_with_periodic_outcomes() -> None:
    world = world_from_dict(
        {
            "generate": {
                "pattern": "bench{n:05d}.example.com",
                "count": 200,
                "failed_every": 20,
                "unreachable_every": 50,
            }
        }
    )
    assert len(world.nodes) == 200 and world.nodes[0].certname == "bench00001.example.com"
    outcomes = [n.outcome for n in world.nodes]
    assert outcomes.count("unreachable") == 4
    assert outcomes.count("failed") == 10 - 2  # every 20th, but the 100th and 200th are unreachable
    assert not world.node("bench00050.example.com").reachable
    factors = {n.factor for n in world.nodes}
    assert len(factors) > 10 and min(factors) >= 0.5 and max(factors) <= 1.5


@pytest.mark.parametrize(
    "data, message",
    [
        ({"nodez": []}, "nodez"),
        ({"nodes": [{"certname": "a", "outcome": "exploded"}]}, "outcome"),
        ({"nodes": [{"certname": "a", "colour": "red"}]}, "colour"),
        ({"tasks": [{"name": "t", "metadata": {"parameters": {"p": {"type": "Integer["}}}}]}, "p"),
        ({"generate": {"pattern": "x{n}", "amount": 3}}, "generate"),
        ({"settings": {"deploy_concurrency": 1, "speed": 2}}, "speed"),
        ([], "object"),
    ],
)
def test_bad_world_descriptions_are_rejected(data: Any, message: str) -> None:
    with pytest.raises(WorldError, match=message):
        world_from_dict(data)


def test_unreadable_world_file_is_a_world_error(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text("{")
    with pytest.raises(WorldError):
        load_world(tmp_path / "broken.json")
    with pytest.raises(WorldError):
        load_world(tmp_path / "missing.json")


def test_default_world_matches_its_description() -> None:
    world = default_world()
    assert [e.name for e in world.environments] == [
        "production",
        "development",
        "test-env-1",
        "staging",
    ]
    assert len(world.nodes) == 34 and world.nodes_in("staging") == []
    assert world.node("web07.example.com").outcome == "failed"
    assert not world.node("db03.example.com").reachable
    assert not world.group(PINNED_GROUP).rules
    prod = {t.name for t in world.tasks_in("production")}
    dev = {t.name for t in world.tasks_in("development")}
    assert prod == dev >= {"package", "service", "facts", "puppet_conf", "mymodule::sleep"}
    assert {p.name for p in world.plans_in("development")} - {
        p.name for p in world.plans_in("production")
    } == {"profile::experimental"}
    assert world.user("expired-token").expired


def test_the_example_in_world_md_loads() -> None:
    import json
    import re
    from pathlib import Path

    from standins.orchestrator import world_from_dict

    text = (Path(__file__).parents[3] / "standins/orchestrator/WORLD.md").read_text()
    example = re.search(r"```json\n(.*?)```", text, re.S)
    assert example is not None
    data = json.loads(example.group(1).replace("…", "..."))
    world = world_from_dict(data)
    assert world.settings.pe_version == "2023.8"
    assert world.task("production", "package").errors_on == ("db04.example.com",)
    assert world.plan("production", "canary").steps[-1].plan == "canary::rest"
