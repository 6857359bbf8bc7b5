"""Numbered schema migrations. An applied migration is never edited: add the next one."""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

MIGRATIONS = Migrations("chatops")

_M001 = [
    # A command as a person typed it, and what became of it.
    """CREATE TABLE requests (
        id TEXT PRIMARY KEY,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        team_id TEXT, channel_id TEXT NOT NULL, user_id TEXT NOT NULL,
        command TEXT NOT NULL, text TEXT NOT NULL,
        endpoint TEXT NOT NULL, body TEXT NOT NULL, fingerprint TEXT NOT NULL,
        state TEXT NOT NULL, rule TEXT, response_url TEXT,
        job_id TEXT, error TEXT, evidence TEXT,
        -- An SSH/WinRM connection profile name: targets (with secrets) are built only at send
        -- time from the bot's configuration, never stored, shown or audited.
        via TEXT,
        -- 1 when answers may replace the asker's ephemeral message (slash commands); a
        -- click on a public card must never replace the card.
        respond_replace INTEGER NOT NULL DEFAULT 1
    )""",
    "CREATE INDEX requests_state ON requests(state)",
    # Every job or plan job the bot follows: where its card lives and how far we have read.
    """CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL, name TEXT NOT NULL, command TEXT NOT NULL,
        request_id TEXT REFERENCES requests(id),
        channel_id TEXT NOT NULL, card_ts TEXT, requester TEXT NOT NULL,
        endpoint TEXT NOT NULL, body TEXT NOT NULL,
        state TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0,
        cursor INTEGER NOT NULL DEFAULT 0,
        snapshot TEXT NOT NULL DEFAULT '{}',
        card_version INTEGER NOT NULL DEFAULT 1, card_sent_version INTEGER NOT NULL DEFAULT 0,
        card_sent_at REAL,
        created_at REAL NOT NULL, next_poll_at REAL NOT NULL, finished_at REAL,
        contact TEXT NOT NULL DEFAULT 'ok', poll_errors INTEGER NOT NULL DEFAULT 0,
        failures_pending TEXT NOT NULL DEFAULT '[]',
        last_failure_post_at REAL, failure_posts INTEGER NOT NULL DEFAULT 0
    )""",
    "CREATE INDEX jobs_followed ON jobs(done, next_poll_at)",
    "CREATE UNIQUE INDEX jobs_by_name ON jobs(kind, name)",
    # What each node of a followed job ended with, filled from events as they arrive, so a
    # summary never re-reads the whole node list.
    """CREATE TABLE job_nodes (
        job_id TEXT NOT NULL REFERENCES jobs(id),
        node TEXT NOT NULL, state TEXT NOT NULL, at REAL NOT NULL,
        message TEXT, changes INTEGER NOT NULL DEFAULT 0, resources TEXT, result TEXT,
        PRIMARY KEY (job_id, node)
    )""",
    # The outbox: every Slack post the bot makes, so each is sent exactly once.
    """CREATE TABLE posts (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        key TEXT NOT NULL UNIQUE,
        channel_id TEXT NOT NULL,
        thread_of TEXT, kind TEXT NOT NULL, ref TEXT,
        payload TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending',
        ts TEXT, error TEXT, attempts INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL, sent_at REAL
    )""",
    "CREATE INDEX posts_pending ON posts(state, channel_id, seq)",
    # Approvals: decided once, by compare-and-set on state.
    """CREATE TABLE approvals (
        id TEXT PRIMARY KEY,
        request_id TEXT NOT NULL UNIQUE REFERENCES requests(id),
        channel_id TEXT NOT NULL, card_ts TEXT,
        state TEXT NOT NULL, requester TEXT NOT NULL,
        approvers TEXT NOT NULL, required INTEGER NOT NULL,
        self_approval INTEGER NOT NULL, rule TEXT NOT NULL,
        created_at REAL NOT NULL, expires_at REAL NOT NULL,
        decided_by TEXT, decided_at REAL, reason TEXT,
        card_version INTEGER NOT NULL DEFAULT 1, card_sent_version INTEGER NOT NULL DEFAULT 0,
        card_sent_at REAL
    )""",
    "CREATE INDEX approvals_pending ON approvals(state, expires_at)",
    """CREATE TABLE approval_votes (
        approval_id TEXT NOT NULL REFERENCES approvals(id),
        user_id TEXT NOT NULL, at REAL NOT NULL,
        PRIMARY KEY (approval_id, user_id)
    )""",
    # Who asked for what, who decided, what the orchestrator answered.
    """CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at REAL NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
        channel_id TEXT, request_id TEXT, job_id TEXT, rule TEXT,
        approvers TEXT, request TEXT, result TEXT, detail TEXT
    )""",
    "CREATE INDEX audit_at ON audit(at)",
]


@MIGRATIONS(name="0001_initial")
def m0001_initial(db: Database) -> None:
    for statement in _M001:
        db.execute(statement)


_M002 = [
    # Slash commands as received, written before Slack gets the ack, so a command acked just
    # before a crash is run (or reported) on restart instead of lost.
    """CREATE TABLE inbox (
        id TEXT PRIMARY KEY,
        received_at REAL NOT NULL,
        payload TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'received'
    )""",
    "CREATE INDEX inbox_received ON inbox(state, received_at)",
    # Signatures of requests already handled, so a replay is refused even after a restart.
    """CREATE TABLE seen_requests (
        signature TEXT PRIMARY KEY,
        expires_at REAL NOT NULL
    )""",
    "CREATE INDEX seen_requests_expiry ON seen_requests(expires_at)",
]


@MIGRATIONS(name="0002_inbox_and_replays")
def m0002_inbox_and_replays(db: Database) -> None:
    for statement in _M002:
        db.execute(statement)


@MIGRATIONS(name="0003_inbox_moves_to_its_own_file")
def m0003_inbox_moves_to_its_own_file(db: Database) -> None:
    # Writes on the ack path queued behind the poller's on this file's single write lock;
    # the inbox and the seen signatures now live in a file of their own (INBOX_MIGRATIONS).
    db.execute("DROP TABLE IF EXISTS inbox")
    db.execute("DROP TABLE IF EXISTS seen_requests")


_M004 = [
    # What the request reached when it was decided (policy.reach.Reach as JSON): the nodes,
    # the environment each counted as and why. The card shows it, and at launch a fresh
    # resolution is compared with it.
    "ALTER TABLE requests ADD COLUMN reach TEXT",
    # The fingerprint of the exact body the approvers were shown: only that body may be sent.
    "ALTER TABLE approvals ADD COLUMN fingerprint TEXT",
    # Modals the bot opened, for whom and about what: a submission or a click in a view is
    # accepted only for a view the bot opened for that person.
    """CREATE TABLE views (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        ref TEXT NOT NULL,
        channel_id TEXT,
        created_at REAL NOT NULL
    )""",
    "CREATE INDEX views_created ON views(created_at)",
]


@MIGRATIONS(name="0004_reach_fingerprints_and_views")
def m0004_reach_fingerprints_and_views(db: Database) -> None:
    for statement in _M004:
        db.execute(statement)


INBOX_MIGRATIONS = Migrations("chatops-inbox")


@INBOX_MIGRATIONS(name="0001_inbox_and_replays")
def i0001_inbox_and_replays(db: Database) -> None:
    for statement in _M002:
        db.execute(statement)


@MIGRATIONS(name="0006_delivery_indexes")
def m0006_delivery_indexes(db: Database) -> None:
    # An answer whose response_url is spent or stale goes to its owner another way; after a
    # restart the owner is found from the request that carried the URL.
    db.execute("CREATE INDEX IF NOT EXISTS requests_response_url ON requests(response_url)")
    # The sender looks for cards behind their job every edit slot; only those are indexed.
    db.execute(
        "CREATE INDEX IF NOT EXISTS jobs_cards_behind ON jobs(card_sent_at) "
        "WHERE card_version > card_sent_version"
    )


_M007 = [
    # The outbox keeps what to say (a template and its data) instead of a message rendered when
    # it was queued: delivery renders each post when it sends it, and a card from its job's or
    # approval's state at that moment. A row queued before keeps its message in `rendered` and
    # is sent as it is; old cards get their template, so they too show the state at send time.
    """CREATE TABLE posts_new (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        key TEXT NOT NULL UNIQUE,
        channel_id TEXT NOT NULL,
        thread_of TEXT, kind TEXT NOT NULL, ref TEXT,
        template TEXT, data TEXT, rendered TEXT,
        state TEXT NOT NULL DEFAULT 'pending',
        ts TEXT, error TEXT, attempts INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL, sent_at REAL,
        CHECK (template IS NOT NULL OR rendered IS NOT NULL)
    )""",
    """INSERT INTO posts_new (seq, key, channel_id, thread_of, kind, ref, template, rendered,
           state, ts, error, attempts, created_at, sent_at)
       SELECT seq, key, channel_id, thread_of, kind, ref,
           CASE kind WHEN 'card' THEN 'job_card' WHEN 'approval_card' THEN 'approval_card' END,
           payload, state, ts, error, attempts, created_at, sent_at
       FROM posts""",
    # Numbering carries on where it was, even past rows that no longer exist.
    """UPDATE sqlite_sequence SET seq = max(seq, coalesce(
           (SELECT seq FROM sqlite_sequence WHERE name = 'posts'), 0))
       WHERE name = 'posts_new'""",
    "DROP TABLE posts",
    "ALTER TABLE posts_new RENAME TO posts",
    "CREATE INDEX posts_pending ON posts(state, channel_id, seq)",
]


@MIGRATIONS(name="0007_posts_say_what")
def m0007_posts_say_what(db: Database) -> None:
    for statement in _M007:
        db.execute(statement)


_M008 = [
    # Schedules made from chat (issue 14): where each one's card is, who asked and approved,
    # and the last run of it the bot has seen, so a fired run is announced once.
    """CREATE TABLE schedules (
        name TEXT PRIMARY KEY,
        request_id TEXT,
        channel_id TEXT NOT NULL,
        requester TEXT NOT NULL,
        approvers TEXT NOT NULL DEFAULT '[]',
        body TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'enabled',
        reason TEXT, ended_by TEXT,
        last_run_at TEXT, last_job TEXT,
        created_at REAL NOT NULL, updated_at REAL NOT NULL
    )""",
    "CREATE INDEX schedules_state ON schedules(state)",
    # Channels watching an environment (`*`: all) for jobs started outside the bot, and the
    # newest job and plan job already looked at, so a job is never announced twice.
    """CREATE TABLE watches (
        channel_id TEXT NOT NULL, environment TEXT NOT NULL,
        user_id TEXT NOT NULL, created_at REAL NOT NULL,
        PRIMARY KEY (channel_id, environment)
    )""",
    "CREATE TABLE watch_cursor (kind TEXT PRIMARY KEY, last_seen INTEGER NOT NULL)",
    # 1: a job someone started outside the bot whose task output stays out of the channel.
    "ALTER TABLE jobs ADD COLUMN withheld INTEGER NOT NULL DEFAULT 0",
]


@MIGRATIONS(name="0008_schedules_and_watches")
def m0008_schedules_and_watches(db: Database) -> None:
    for statement in _M008:
        db.execute(statement)


_M009 = [
    # Issue 15: a person's own PE token, encrypted (identity/vault.py); never the password.
    # `origin` is `bot` for a token the bot made from a password (revoked on sign-out or
    # re-sign-in) or `pasted` for one the person brought (only forgotten).
    """CREATE TABLE pe_tokens (
        slack_user TEXT PRIMARY KEY,
        login TEXT NOT NULL,
        secret TEXT NOT NULL,
        origin TEXT NOT NULL CHECK (origin IN ('bot', 'pasted')),
        label TEXT,
        expires_at REAL,
        created_at REAL NOT NULL
    )""",
    # Who PE saw make each request: `pe_mode` is `service` or `person`, and `pe_login` the PE
    # user whose token sends it (the requester's, in person mode). Schedules and the audit read
    # them; an approval waiting on a re-sign-in is void if the requester returns as another user.
    "ALTER TABLE requests ADD COLUMN pe_mode TEXT",
    "ALTER TABLE requests ADD COLUMN pe_login TEXT",
    # Failed sign-ins counted per PE login and per Slack user (identity/limiter.py), kept so a
    # restart does not hand out a fresh budget toward PE's lockout. No secrets: ids and times.
    """CREATE TABLE sign_in_limits (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        state TEXT NOT NULL,
        updated_at REAL NOT NULL
    )""",
]


@MIGRATIONS(name="0009_person_identity")
def m0009_person_identity(db: Database) -> None:
    for statement in _M009:
        db.execute(statement)


@MIGRATIONS(name="0010_home_tabs")
def m0010_home_tabs(db: Database) -> None:
    # The Home tab of each person who opened it: when they last did (only recent openers are
    # kept up to date), the view the bot published for them, a digest of what it showed (so an
    # unchanged tab is not published again), and the approvals it offered buttons for: a click
    # on the Home tab is accepted only for one of those, in that person's own view.
    db.execute(
        """CREATE TABLE IF NOT EXISTS home_tabs (
            user_id TEXT PRIMARY KEY,
            opened_at REAL NOT NULL,
            view_id TEXT,
            digest TEXT,
            approvals TEXT NOT NULL DEFAULT '[]',
            published_at REAL
        )"""
    )
    # Each refresh reads a person's requests and running jobs.
    db.execute("CREATE INDEX IF NOT EXISTS requests_by_user ON requests(user_id, created_at)")
    db.execute("CREATE INDEX IF NOT EXISTS jobs_by_requester ON jobs(requester, done)")
