"""Opening the store: one connection per thread, WAL, migrations applied once at start."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from store.journal import Journal
from store.migrations import INBOX_MIGRATIONS, MIGRATIONS

BUSY_TIMEOUT_MS = 10_000


def dumps(value: Any) -> str:
    """JSON for a column: compact and with sorted keys, so equal values store equal text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def loads(text: str | None, default: Any = None) -> Any:
    return default if text is None else json.loads(text)


def inbox_path(path: str) -> str:
    """`chatops.db` → `chatops.inbox.db`: the inbox's file, beside the store's."""
    if path == ":memory:":
        return path
    file = Path(path)
    return str(file.with_name(f"{file.stem}.inbox{file.suffix or '.db'}"))


class Store:
    """The SQLite file at `path`; `db` is this thread's connection (a Database is not shareable).

    The inbox (commands as received, signatures seen) is a second file, `inbox_db`, with a
    write lock of its own: the ack path writes there, in group commits (`journal`), and never
    queues behind the poller's writes.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self.inbox_path = inbox_path(self.path)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._inbox_lock = threading.Lock()
        self._journal: Journal | None = None
        self._all: list[sqlite3.Connection] = []

    def __repr__(self) -> str:
        return f"Store({self.path!r})"

    @property
    def db(self) -> Database:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._open(self.path)
            self._local.db = db
        return db

    @property
    def inbox_db(self) -> Database:
        """This thread's connection to the inbox file."""
        db = getattr(self._local, "inbox_db", None)
        if db is None:
            db = self._open(self.inbox_path)
            self._local.inbox_db = db
        return db

    def _open(self, path: str) -> Database:
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # One connection per thread by convention; check_same_thread is off only so close() can
        # run from the thread shutting the bot down.
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        db = Database(conn)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.enable_wal()
        # NORMAL is durable across a process kill (kill -9); only an OS crash can lose the
        # last transactions, which is the trade WAL mode is designed around.
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")
        with self._lock:
            self._all.append(conn)
        return db

    def migrate(self) -> list[str]:
        """Apply pending migrations to both files; returns the names applied."""
        pending = [m.name for m in MIGRATIONS.pending(self.db)]
        pending += [f"inbox/{m.name}" for m in INBOX_MIGRATIONS.pending(self.inbox_db)]
        MIGRATIONS.apply(self.db)
        INBOX_MIGRATIONS.apply(self.inbox_db)
        return pending

    @contextmanager
    def write(self) -> Iterator[Database]:
        """A write transaction. Every write goes through here, one at a time.

        The writers are all threads of this process, so they queue on a Python lock and wake the
        moment it is free. Left to SQLite, a waiting writer sleeps in its busy handler in steps of
        up to 100 ms, which under a few hundred polls a second made polls fall seconds behind
        (bench/, README). BEGIN IMMEDIATE still guards against another process on the file.
        """
        with self._write_lock:
            yield from _transaction(self.db)

    @contextmanager
    def write_inbox(self) -> Iterator[Database]:
        """A write transaction on the inbox file: a few rows, never behind the poller."""
        with self._inbox_lock:
            yield from _transaction(self.inbox_db)

    def journal(self, fn: Callable[[Database], Any]) -> Any:
        """Run `fn(db)` on the inbox file in the next group commit (the ack path's writes)."""
        with self._lock:
            if self._journal is None:
                self._journal = Journal(self)
            journal = self._journal
        return journal.call(fn)

    def close(self) -> None:
        """Close every connection this store opened (tests, shutdown)."""
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        with self._lock:
            conns, self._all = self._all, []
        for conn in conns:
            conn.close()
        self._local = threading.local()


def _transaction(db: Database) -> Iterator[Database]:
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    else:
        db.conn.commit()
