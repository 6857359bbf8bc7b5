"""`--at`, `--in` and `--every` on /deploy, /task and /plan: checked as far as they can be
without the clock or the requester's time zone (both read after the ack). Pure."""

from __future__ import annotations

from commands.grammar import Args, Form
from commands.intents import Later
from commands.when import parse_duration, parse_interval


def later_of(args: Args, form: Form) -> Later | None:
    """The scheduling flags, or None to run now. A malformed duration or interval, both --at
    and --in, or a flag a schedule cannot carry is a usage error here, before the ack."""
    at, in_, every = args.get("at"), args.get("in"), args.get("every")
    if at is None and in_ is None and every is None:
        return None
    if at is not None and in_ is not None:
        raise form.error("Give --at or --in, not both: --in 30m is short for --at <now+30m>.")
    if at is not None and not str(at).strip():
        raise form.error("--at needs a time, e.g. --at 09:00 or --at tomorrow 09:00.")
    try:
        if in_ is not None:
            parse_duration(in_, command=form.command)
        if every is not None:
            parse_interval(every, command=form.command)
    except ValueError as exc:
        raise form.error(getattr(exc, "message", str(exc))) from None
    if args.has("timeout"):
        raise form.error(
            "--timeout cannot be scheduled: PE's scheduled jobs take no timeout. "
            "Leave --timeout out, or run it now."
        )
    if args.has("via"):
        raise form.error(
            "--via cannot be scheduled: PE would run it without the bot's SSH/WinRM "
            "credentials. Run it now, or schedule it on PXP agents."
        )
    return Later(at=at, in_=in_, every=every)
