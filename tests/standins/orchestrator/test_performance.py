"""Scale: many concurrent jobs over many nodes advance quickly on the heap-driven clock."""

from __future__ import annotations

import time

from standins.orchestrator import Simulator, world_from_dict

from .helpers import FakeClock, client_for


def test_hundred_jobs_of_two_hundred_nodes_advance_quickly() -> None:
    world = world_from_dict(
        {
            "generate": {
                "pattern": "bench{n:05d}.example.com",
                "count": 20000,
                "failed_every": 20,
                "unreachable_every": 50,
            }
        }
    )
    clock = FakeClock()
    sim = Simulator(world, clock=clock)
    names = [n.certname for n in world.nodes]
    started = time.perf_counter()
    with client_for(sim) as client:
        for j in range(100):
            body = {
                "environment": "production",
                "concurrency": 50,
                "scope": {"nodes": names[j * 200 : (j + 1) * 200]},
            }
            assert client.post("/command/deploy", json=body).status_code == 202
        clock.tick(3600)
        sim.advance()
        jobs = client.get("/jobs?limit=100").json()["items"]
    elapsed = time.perf_counter() - started
    assert [j["state"] for j in jobs] == ["failed"] * 100  # each has a failing node
    unreachable, failed = 20000 // 50, 20000 // 20 - 20000 // 100  # every 100th is unreachable
    assert sum(j["node_states"].get("errored", 0) for j in jobs) == unreachable
    assert sum(j["node_states"].get("failed", 0) for j in jobs) == failed
    assert sum(j["node_states"].get("finished", 0) for j in jobs) == 20000 - unreachable - failed
    # running + end per reachable node, one node_errored per unreachable node, job_finished each
    assert len(sim.event_log()) == 2 * (20000 - unreachable) + unreachable + 100
    assert elapsed < 5.0
