"""PuppetDB queries: the PQL and AST forms the simulator evaluates, and those it refuses."""

from __future__ import annotations

from typing import Any

import pytest

from standins.orchestrator import default_world
from standins.orchestrator.pql import QueryError, evaluate

WORLD = default_world()


def run(query: Any) -> list[str]:
    return evaluate(query, WORLD.nodes)


@pytest.mark.parametrize(
    "query, expected",
    [
        ('nodes[certname] { certname = "web01.example.com" }', ["web01.example.com"]),
        ('nodes[certname] { certname ~ "^db0[12]" }', ["db01.example.com", "db02.example.com"]),
        (
            'inventory[certname] { facts.os.family = "Debian" and facts.role = "lb" }',
            ["lb01.example.com", "lb02.example.com"],
        ),
        (
            'inventory[certname] { facts.kernel = "windows" or certname = "node1.example.com" }',
            ["node1.example.com", "winrmnode.example.com"],
        ),
        (
            'nodes[certname] { (certname ~ "^lb" or certname ~ "^cache")'
            ' and not certname ~ "0[2-3]" }',
            ["lb01.example.com", "cache01.example.com"],
        ),
        ('nodes[certname] { !(certname ~ "example") }', []),
        (
            'nodes[certname] { certname in ["lb02.example.com", "db01.example.com"] }',
            ["db01.example.com", "lb02.example.com"],
        ),
        (
            'nodes[certname] { facts { name = "role" and value = "cache" } }',
            ["cache01.example.com", "cache02.example.com", "cache03.example.com"],
        ),
        (
            'nodes[certname] { latest_report_status = "failed" }',
            ["web07.example.com", "app05.example.com"],
        ),
        (
            "inventory[certname] { facts.processors.count > 7 and facts.role = 'db' }",
            ["db04.example.com"],
        ),
        ('facts[certname] { name = "kernel" and value = "windows" }', ["winrmnode.example.com"]),
        (["from", "nodes", ["=", "certname", "lb01.example.com"]], ["lb01.example.com"]),
        (
            ["from", "nodes", ["extract", ["certname"], ["~", "certname", "^app0[78]"]]],
            ["app07.example.com", "app08.example.com"],
        ),
        (
            [
                "from",
                "inventory",
                ["and", ["=", "facts.role", "lb"], ["not", ["~", "certname", "01"]]],
            ],
            ["lb02.example.com"],
        ),
        (
            [
                "from",
                "nodes",
                [
                    "or",
                    ["=", "certname", "node1.example.com"],
                    ["=", "certname", "node2.example.com"],
                ],
            ],
            ["node1.example.com", "node2.example.com"],
        ),
        (
            '["from", "nodes", ["=", "catalog_environment", "development"]]',
            [
                "web09.example.com",
                "web10.example.com",
                "web11.example.com",
                "web12.example.com",
                "app07.example.com",
                "app08.example.com",
            ],
        ),
    ],
)
def test_supported_queries_select_the_right_nodes(query: Any, expected: list[str]) -> None:
    assert run(query) == [n.certname for n in WORLD.nodes if n.certname in expected]
    assert len(run(query)) == len(expected)


def test_empty_filters_select_every_node() -> None:
    everything = [n.certname for n in WORLD.nodes]
    assert run("nodes[certname] { }") == everything
    assert run(["from", "nodes", ["~", "certname", ".*"]]) == everything
    assert run(["from", "inventory"]) == everything


@pytest.mark.parametrize(
    "query",
    [
        "nodes badquery {}",
        'certname ~ "web"',  # a condition without an entity
        'nodes[certname] { facts.os.family = "RedHat" }',  # dotted facts live in inventory
        "resources[certname] { }",
        "nodes[name] { }",
        "nodes[catalog_environment] { }",  # results must carry certname
        'nodes[certname] { certname ~ "(" }',
        'nodes[certname] { certname = "x" } extra',
        "nodes[certname] { limit 10 }",
        'nodes[certname] { certname > "a" }',
        "nodes[certname] {",
        ["from", "nodes", ["like", "certname", "x"]],
        ["from", "nodes", ["=", "certname"]],
        ["from", "nodes", ["=", "certname", "x"], ["limit", 1]],
        ["select", "nodes"],
        '["from", "nodes"',
        42,
    ],
)
def test_queries_it_cannot_evaluate_are_query_errors(query: Any) -> None:
    with pytest.raises(QueryError):
        run(query)
