"""Assembling the bot: the one place that builds every part and wires them together."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from config import Settings
from delivery.budget import Budget
from delivery.compose import Composer
from delivery.home import HomeTabs
from delivery.home_schedules import schedule_lines
from delivery.membership import Membership
from delivery.respond import Responder
from delivery.sender import Sender
from delivery.slack import web_client
from flows import approval, recovery
from flows.announce import Announcer
from flows.deps import Deps
from flows.people import People
from flows.profiles import load_profiles
from flows.rejudge import rejudge
from flows.schedule_runs import ScheduleRuns
from flows.targets import Resolver
from identity.vault import TokenVault
from orchestrator.client import OrchestratorClient
from orchestrator.connection import (
    connect,
    connect_classifier,
    connect_puppetdb,
    connect_rbac,
    read_token,
)
from orchestrator.rbac import RbacClient
from policy import SlackGroups
from policy.live import LivePolicy
from poller.pacing import Pacing
from poller.poller import Poller
from poller.record import Recorder
from render import Renderer
from runtime.slackapp import create_app
from store import Store, inbox, requests, views

log = logging.getLogger(__name__)


@dataclass
class Bot:
    """A running bot: the Bolt app, and the poller thread beside it."""

    deps: Deps
    app: App
    poller: Poller
    sender: Sender
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        """Pick up where a previous process left off, then follow jobs and send in the
        background, each loop in its own thread."""
        warm_up(self.deps.work, self.deps.store, WORKERS)
        if self.deps.people is not None:
            # Key rotation: tokens stored under an older key move under the newest one.
            moved = self.deps.people.reencrypt()
            if moved:
                log.info("re-encrypted %d stored PE tokens under the newest key", moved)
        recovery.resume(self.deps)
        rejudge(self.deps)  # the policy may have changed while the bot was down
        for name, loop in (("poller", self.poller.run), ("sender", self.sender.run)):
            thread = threading.Thread(target=loop, args=(self.stop,), name=name, daemon=True)
            thread.start()
            self.threads.append(thread)

    def shutdown(self) -> None:
        self.stop.set()
        self.sender.wake()
        for thread in self.threads:
            thread.join(timeout=10)
        # Queued work is dropped, not run: a request not yet sent is still `new` in the store
        # and is sent by the next start while fresh.
        self.deps.work.shutdown(wait=True, cancel_futures=True)
        self.poller.close()
        self.deps.orchestrator.close()
        if self.deps.resolver is not None:
            self.deps.resolver.close()
        self.deps.store.close()


WORKERS = 32


class Housekeeping:
    """Run by the poller each second: expire approvals, fail those whose card could not be
    posted; now and then, forget old replay signatures and finished inbox entries."""

    def __init__(
        self,
        deps: Deps,
        *,
        cleanup_every: float = 300.0,
        schedule_every: float = 5.0,
        homes: HomeTabs | None = None,
    ) -> None:
        self.deps = deps
        self.cleanup_every = cleanup_every
        self.homes = homes
        self._last_cleanup = 0.0
        self._started = deps.clock()
        self._last_settle = 0.0
        # The bot's schedules are read as often as a job is polled: a fired run is found then.
        self.schedule_runs = ScheduleRuns(deps, every=schedule_every)
        self.announcer = Announcer(deps, every=schedule_every, before=self.schedule_runs.check_all)

    def __call__(self, now: float) -> None:
        approval.expire_due(self.deps, now)
        approval.fail_lost_cards(self.deps)
        if now - self._last_settle >= 5.0:
            # Requests a crash caught mid-send, once their send is surely over.
            recovery.settle_interrupted(self.deps, now, started=self._started)
            self._last_settle = now
        self.schedule_runs(now)
        self.announcer(now)
        if isinstance(self.deps.policy, LivePolicy) and self.deps.policy.refresh():
            rejudge(self.deps)
        if self.homes is not None:
            # Home tabs of people who looked recently, at the lowest priority of the budget.
            self.homes.refresh(now)
        if now - self._last_cleanup >= self.cleanup_every:
            with self.deps.store.write_inbox() as db:
                inbox.forget_old(db, now)
            with self.deps.store.write() as db:
                views.forget_old(db, now)
            self._last_cleanup = now


def warm_up(pool: Executor, store: Store, threads: int) -> None:
    """Start every worker thread now, each with its SQLite connection open, so the first
    commands after a start do not pay for creating them while other acks wait."""
    if not isinstance(pool, ThreadPoolExecutor):
        return
    barrier = threading.Barrier(threads + 1)

    def hold() -> None:
        store.db.execute("SELECT 1")
        barrier.wait(timeout=10)

    for _ in range(threads):
        pool.submit(hold)
    barrier.wait(timeout=10)


def build(
    settings: Settings,
    *,
    orchestrator: OrchestratorClient | None = None,
    resolver: Resolver | None = None,
    slack: WebClient | None = None,
    clock: Callable[[], float] = time.time,
    policy_explicit: bool = False,
    work: Executor | None = None,
    renderer: Renderer | None = None,
    rbac: RbacClient | None = None,
) -> Bot:
    """Every part from the settings; tests and the demo pass their own clients and clock."""
    store = Store(settings.database_path)
    store.migrate()
    token = None
    if orchestrator is None or resolver is None:
        token = read_token(settings.pe_rbac_token, settings.pe_rbac_token_file)
    if orchestrator is None:
        orchestrator = connect(
            settings.pe_orchestrator_url,
            token=str(token),
            ca_cert=settings.pe_ca_cert,
            timeout=settings.pe_timeout,
        )
    if resolver is None:
        ca, timeout = settings.pe_ca_cert, settings.pe_timeout
        resolver = Resolver(
            connect_puppetdb(settings.puppetdb_url, token=str(token), ca_cert=ca, timeout=timeout),
            connect_classifier(
                settings.pe_classifier_url, token=str(token), ca_cert=ca, timeout=timeout
            ),
        )
    # One budget for every Slack call: the interactive client takes from it at once (its calls
    # answer people), the outbox sender asks it before each call (its calls can wait).
    budget = Budget(clock)
    slack_token = settings.slack_bot_token if slack is None else str(slack.token)
    base_url = settings.slack_api_url if slack is None else slack.base_url
    slack = web_client(slack_token, base_url, budget=budget)
    renderer = renderer or Renderer()
    # Every channel post is rendered here, when the sender sends it.
    composer = Composer(renderer, store, clock=clock, console_url=settings.pe_console_url)
    # The outbox handles 429 itself, so its client must not sleep on Retry-After.
    outbox = web_client(slack_token, base_url, wait_on_429=False)
    sender = Sender(store, outbox, composer, clock=clock, budget=budget)
    responder = Responder(
        slack, clock=clock, lookup=lambda url: requests.owner_of_response_url(store.db, url)
    )
    people = person_identity(settings, store, clock, rbac)
    deps = Deps(
        orchestrator=orchestrator,
        store=store,
        slack=slack,
        renderer=renderer,
        sender=sender,
        policy=LivePolicy(settings.policy_file, explicit=policy_explicit),
        groups=SlackGroups(slack, clock=clock),
        profiles=load_profiles(settings.connections_file),
        clock=clock,
        # Orchestrator calls run here, never on Bolt's 5-thread listener pool.
        work=work or ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="work"),
        console_url=settings.pe_console_url,
        known_environments=lambda: requests.launched_environments(store.db),
        resolver=resolver,
        membership=Membership(outbox, budget=budget, clock=time.monotonic),
        responder=responder,
        people=people,
    )
    recorder = Recorder(
        pacing=Pacing(interval=settings.poll_interval),
        console_url=settings.pe_console_url,
    )
    homes = HomeTabs(
        store,
        outbox,
        budget,
        deps.groups,
        clock=clock,
        recent=settings.home_recent,
        # The person's enabled schedules from the store (issue 14's `schedules` table).
        schedules=lambda user: schedule_lines(store.db, user, clock()),
    )
    poller = Poller(
        store,
        orchestrator,
        recorder,
        sender,
        clock=clock,
        housekeeping=Housekeeping(deps, schedule_every=settings.poll_interval, homes=homes),
    )
    # A card's job is polled just before its edit: as long before as the poller's polls take.
    sender.editor.poll_before = poller.ask_before
    app = create_app(deps, signing_secret=settings.slack_signing_secret)
    composer.workspace_url = workspace_url(slack)
    return Bot(deps=deps, app=app, poller=poller, sender=sender)


def person_identity(
    settings: Settings, store: Store, clock: Callable[[], float], rbac: RbacClient | None
) -> People | None:
    """PE_IDENTITY=person: people's tokens, encrypted under TOKEN_ENCRYPTION_KEY, and PE's RBAC
    at PE_RBAC_URL; None in service mode. Raises a ConfigError naming a bad key setting."""
    if not settings.person_mode:
        return None
    vault = TokenVault.from_settings(
        settings.token_encryption_key, settings.token_encryption_key_file
    )
    if rbac is None:
        rbac = connect_rbac(
            str(settings.pe_rbac_url), ca_cert=settings.pe_ca_cert, timeout=settings.pe_timeout
        )
    return People(rbac, vault, store, clock=clock, lifetime=settings.pe_token_lifetime)


def workspace_url(slack: WebClient) -> str | None:
    """The workspace's address (auth.test's `url`), for links to messages; None (no links) if
    Slack cannot say now."""
    try:
        url = slack.auth_test().get("url")
    except (SlackApiError, OSError) as exc:
        log.warning("cannot ask Slack for the workspace's address (%s); no message links", exc)
        return None
    return str(url) if url else None
