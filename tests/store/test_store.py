"""The store: migrations, compare-and-set transitions, the outbox's once-only keys, audit."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from orchestrator.requests import DeployRequest, Scope
from store import Store, approvals, audit, posts, requests


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "t.db")
    s.migrate()
    yield s
    s.close()


REQUEST = DeployRequest(environment="production", scope=Scope.nodes(["a"]))


def _request(store: Store, rid: str = "r1") -> None:
    requests.create(
        store.db,
        id=rid,
        now=1.0,
        channel_id="C",
        user_id="U",
        command="deploy",
        text="/deploy production --nodes a",
        request=REQUEST,
    )


def test_migrations_apply_once_and_use_wal(tmp_path: Path) -> None:
    s = Store(tmp_path / "m.db")
    assert s.migrate() == [
        "0001_initial",
        "0002_inbox_and_replays",
        "0003_inbox_moves_to_its_own_file",
        "0004_reach_fingerprints_and_views",
        "0006_delivery_indexes",
        "0007_posts_say_what",
        "0008_schedules_and_watches",
        "0009_person_identity",
        "0010_home_tabs",
        "inbox/0001_inbox_and_replays",
    ]
    assert s.migrate() == []
    assert s.db.journal_mode == "wal"
    s.close()


def test_request_round_trips_the_exact_body(store: Store) -> None:
    _request(store)
    row = requests.get(store.db, "r1")
    assert row is not None
    assert row.typed() == REQUEST
    assert len(row.fingerprint) == 10


def test_transition_is_compare_and_set(store: Store) -> None:
    _request(store)
    assert requests.transition(store.db, "r1", ("new",), "launching", 2.0)
    assert not requests.transition(store.db, "r1", ("new",), "launching", 3.0)


def test_a_post_key_is_queued_once(store: Store) -> None:
    said = {"kind_word": "job", "name": "1"}
    for now in (1, 2):
        queued = posts.enqueue(
            store.db, key="k", channel_id="C", kind="reply", template="contact_back", data=said,
            now=now,
        )  # fmt: skip
        assert queued == (now == 1)
    [queued] = posts.queued(store.db)
    row = posts.by_seq(store.db, queued.seq)
    assert row is not None
    assert (row.template, row.data, row.created_at) == ("contact_back", said, 1)


def test_twenty_threads_deciding_one_approval_yield_one_winner(store: Store) -> None:
    _request(store)
    approvals.create(
        store.db,
        id="a1",
        request_id="r1",
        channel_id="C",
        requester="U",
        approvers={"users": [], "groups": []},
        required=1,
        self_approval=False,
        rule="r",
        now=1.0,
        expires_at=100.0,
    )
    wins: list[str] = []
    barrier = threading.Barrier(20)

    def click(user: str) -> None:
        barrier.wait()
        if approvals.decide(store.db, "a1", state="approved", by=user, now=2.0):
            wins.append(user)

    threads = [threading.Thread(target=click, args=(f"U{i}",)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == 1
    assert approvals.get(store.db, "a1").decided_by == wins[0]


def test_an_expired_approval_cannot_be_approved(store: Store) -> None:
    _request(store)
    approvals.create(
        store.db,
        id="a1",
        request_id="r1",
        channel_id="C",
        requester="U",
        approvers={},
        required=1,
        self_approval=False,
        rule="r",
        now=1.0,
        expires_at=10.0,
    )
    assert not approvals.decide(store.db, "a1", state="approved", by="U2", now=11.0)
    assert approvals.decide(store.db, "a1", state="expired", by="expiry", now=11.0)


def test_audit_records_are_exported_in_order(store: Store) -> None:
    audit.record(store.db, now=1.0, actor="U", action="request", request={"a": 1})
    audit.record(store.db, now=2.0, actor="U", action="launch", job_id="job:1")
    rows = list(audit.since(store.db, 0))
    assert [r["action"] for r in rows] == ["request", "launch"]
    assert rows[0]["request"] == {"a": 1}
    with pytest.raises(ValueError):
        audit.record(store.db, now=3.0, actor="U", action="nonsense")
