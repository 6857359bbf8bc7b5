"""`/watch`, `/unwatch` and `/jobs` → intents: following jobs the bot did not start."""

from __future__ import annotations

from collections.abc import Sequence

from commands.flags import JOBS, WATCH
from commands.grammar import Form, parse_args, q, suggest
from commands.intents import (
    Intent,
    ListJobs,
    ListWatches,
    UnwatchEnvironment,
    WatchEnvironment,
    WatchJob,
)
from commands.names import environment, job_id
from commands.usage import form as usage_form

ALL = "*"
MAX_LIMIT = 20


def _environment(word: str, form: Form) -> str:
    return ALL if word == ALL else environment(word, form)


def parse_watch(tokens: Sequence[str]) -> Intent:
    form = Form("watch", usage_form("watch"))
    args = parse_args(tokens, WATCH, form)
    if not args.words:
        raise form.error("Say what to watch: a job id, plan <id>, environment <ENV|*>, or list.")
    first = args.words[0].lower()
    rest = args.words[1:]
    if first == "list":
        if rest:
            raise form.error(f"Unexpected {q(rest[0])} after /watch list.")
        return ListWatches()
    if first in ("plan", "environment", "env"):
        if not rest:
            example = "/watch plan 77" if first == "plan" else "/watch environment production"
            raise form.error(f"Name it, e.g. {example}.")
        if len(rest) > 1:
            raise form.error(f"Unexpected {q(rest[1])}: watch one at a time.")
        if first == "plan":
            return WatchJob(job=job_id(rest[0], form, "plan job"), plan=True)
        return WatchEnvironment(environment=_environment(rest[0], form))
    if len(args.words) > 1:
        raise form.error(f"Unexpected {q(args.words[1])}: watch one job at a time.")
    return WatchJob(job=job_id(args.words[0], form, choices=("plan", "environment", "list")))


def parse_unwatch(tokens: Sequence[str]) -> Intent:
    form = Form("unwatch", usage_form("unwatch"))
    args = parse_args(tokens, WATCH, form)
    words = [w for w in args.words]
    if not words or words[0].lower() not in ("environment", "env"):
        hint = suggest(words[0].lower(), ("environment",)) if words else ""
        raise form.error(f"Write /unwatch environment <ENV>.{hint}")
    if len(words) != 2:
        raise form.error("Name one environment, e.g. /unwatch environment production.")
    return UnwatchEnvironment(environment=_environment(words[1], form))


def parse_jobs(tokens: Sequence[str]) -> Intent:
    form = Form("jobs", usage_form("jobs"))
    args = parse_args(tokens, JOBS, form)
    if args.words:
        raise form.error(f"Unexpected {q(args.words[0])}: /jobs takes only flags.")
    limit = int(args.get("limit", 10))
    if limit > MAX_LIMIT:
        raise form.error(f"--limit is at most {MAX_LIMIT}.")
    env = args.get("environment")
    return ListJobs(
        running=bool(args.get("running")),
        environment=environment(env, form) if env is not None else None,
        mine=bool(args.get("mine")),
        limit=limit,
    )
