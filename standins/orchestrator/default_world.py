"""The built-in world the demo and the tests use when no --world file is given."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .world import World

from .default_catalog import default_plans, default_tasks

log = logging.getLogger(__name__)

ALL_NODES = "00000000-0000-4000-8000-000000000000"
WEB_GROUP = "6f1a6b5e-0c3d-4b1e-9a53-3c0c5e1b2a01"
DB_GROUP = "6f1a6b5e-0c3d-4b1e-9a53-3c0c5e1b2a02"
APP_GROUP = "6f1a6b5e-0c3d-4b1e-9a53-3c0c5e1b2a03"
LB_GROUP = "6f1a6b5e-0c3d-4b1e-9a53-3c0c5e1b2a04"
PINNED_GROUP = "6f1a6b5e-0c3d-4b1e-9a53-3c0c5e1b2a05"  # no rules: not a valid deploy scope

# Nodes that behave differently, so the demo shows every node state.
_OUTCOMES = {
    "web03.example.com": "changed",
    "web05.example.com": "changed",
    "app02.example.com": "changed",
    "cache02.example.com": "changed",
    "web07.example.com": "failed",
    "app05.example.com": "failed",
    "db03.example.com": "unreachable",
}
_DEVELOPMENT = {"web09", "web10", "web11", "web12", "app07", "app08"}
# Classified into development, but its last report still came from production: PuppetDB's
# catalog and report environments differ, as after a move between environments.
_REPORTED_FROM = {"app08": "production"}
_OS = {
    "web": ("RedHat", "RedHat", "9"),
    "app": ("RedHat", "CentOS", "8"),
    "db": ("Debian", "Ubuntu", "22.04"),
    "cache": ("Debian", "Debian", "12"),
    "lb": ("Debian", "Ubuntu", "22.04"),
    "node": ("RedHat", "RedHat", "9"),
    "sshnode": ("RedHat", "Rocky", "9"),
    "winrmnode": ("windows", "windows", "2022"),
}


def _node(short: str, index: int) -> dict[str, Any]:
    role = short.rstrip("0123456789")
    family, name, major = _OS[role]
    certname = f"{short}.example.com"
    agentless = role in ("sshnode", "winrmnode")
    extra = {"report_environment": _REPORTED_FROM[short]} if short in _REPORTED_FROM else {}
    return {
        **extra,
        "certname": certname,
        "environment": "development" if short in _DEVELOPMENT else "production",
        "facts": {
            "os": {"family": family, "name": name, "release": {"major": major}},
            "kernel": "windows" if family == "windows" else "Linux",
            "role": role,
            "datacenter": "dc1" if index % 2 else "dc2",
            "processors": {"count": 2 + index % 4 * 2},
            "networking": {
                "fqdn": certname,
                "hostname": short,
                "ip": f"10.0.{index // 50}.{index % 50 + 10}",
            },
        },
        # Agentless nodes have no PXP agent: reachable only through `targets` (SSH/WinRM).
        "connected": not agentless,
        "outcome": _OUTCOMES.get(certname, "success"),
        "factor": round(0.6 + (index * 37 % 13) / 10, 2),
    }


def _nodes() -> list[dict[str, Any]]:
    names = [f"web{i:02d}" for i in range(1, 13)] + [f"db{i:02d}" for i in range(1, 5)]
    names += [f"app{i:02d}" for i in range(1, 9)] + ["lb01", "lb02"]
    names += [f"cache{i:02d}" for i in range(1, 4)]
    names += ["node1", "node2", "sshnode1", "sshnode2", "winrmnode"]
    return [_node(short, i) for i, short in enumerate(names)]


def default_world_data() -> dict[str, Any]:
    """A fresh dict in the WORLD.md format describing the default world."""
    all_tasks = ("*",)
    return {
        "environments": ["production", "development", "test-env-1", "staging"],
        "nodes": _nodes(),
        "node_groups": [
            {"id": ALL_NODES, "name": "All Nodes", "rules": True, "nodes": ["*"]},
            {"id": WEB_GROUP, "name": "Web servers", "rules": True, "nodes": ["web*"]},
            {"id": DB_GROUP, "name": "Database servers", "rules": True, "nodes": ["db*"]},
            {"id": APP_GROUP, "name": "App servers", "rules": True, "nodes": ["app*"]},
            {"id": LB_GROUP, "name": "Load balancers", "rules": True, "nodes": ["lb*"]},
            {
                "id": PINNED_GROUP,
                "name": "Pinned canaries",
                "rules": False,
                "nodes": ["web01.example.com", "app01.example.com"],
            },
        ],
        "tasks": default_tasks(),
        "plans": default_plans(),
        "users": [
            {
                "token": "demo-token",
                "login": "admin",
                "id": "42bf351c-f9ec-40af-84ad-e976fec7f4bd",
                "display_name": "Administrator",
                "email": "admin@example.com",
                "superuser": True,
                "permissions": {"tasks": all_tasks, "plans": all_tasks},
                "password": "admin-password",
            },
            {
                "token": "operator-token",
                "login": "operator",
                "display_name": "Ops on call",
                "email": "oncall@example.com",
                "permissions": {"tasks": ["package", "service", "facts"], "plans": ["canary"]},
                "password": "operator-password",
            },
            {
                "token": "viewer-token",
                "login": "viewer",
                "display_name": "Read only",
                "permissions": {"tasks": [], "plans": [], "deploy": False},
                "password": "viewer-password",
            },
            {"token": "expired-token", "login": "olduser", "expired": True},
            {"token": "revoked-token", "login": "leaver", "revoked": True},
        ],
        "settings": {},
        "flags": {},
    }


def default_world() -> World:
    """The default world as a `World`."""
    from .world_json import world_from_dict

    return world_from_dict(default_world_data())
