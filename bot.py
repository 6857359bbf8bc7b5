"""The PE orchestrator ChatOps bot: `python bot.py [run|demo|policy check|audit]`."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

import config
from admin import audit_export, policy_check
from config import ConfigError, Settings
from runtime import logsetup, serve
from runtime.assemble import build

log = logging.getLogger("bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bot.py", description="Slack ChatOps for the Puppet Enterprise orchestrator."
    )
    sub = parser.add_subparsers(dest="cmd")
    run_cmd = sub.add_parser("run", help="run the bot")
    run_cmd.add_argument(
        "--mode",
        choices=("auto", "http", "socket"),
        default="auto",
        help="auto (default): Socket Mode when SLACK_APP_TOKEN is set, else HTTP",
    )
    demo = sub.add_parser("demo", help="the bot against the built-in simulator, in a terminal")
    demo.add_argument(
        "--node-seconds",
        type=float,
        default=1.0,
        help="how long one simulated node run takes (default 1)",
    )
    demo.add_argument("--database", default=None, help="SQLite file (default: a temporary one)")
    policy = sub.add_parser("policy", help="explain what the policy would do")
    policy_sub = policy.add_subparsers(dest="policy_cmd", required=True)
    check = policy_sub.add_parser("check", help="which rule matches a command, without running it")
    check.add_argument("text", nargs="+", help='the command, e.g. "/deploy production --nodes a"')
    check.add_argument("--as", dest="user", required=True, help="Slack user id of the requester")
    check.add_argument("--channel", default="C0CHANNEL", help="Slack channel id (default any)")
    check.add_argument(
        "--pe-user", default=None, help="person mode: the PE login it is sent as (pe_users rules)"
    )
    audit = sub.add_parser("audit", help="export the audit log")
    audit.add_argument("--since", default="7d", help="how far back: 90m, 36h, 7d (default 7d)")
    audit.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    return parser


def run(settings: Settings, mode: str = "auto") -> int:
    if mode == "socket" and not settings.socket_mode:
        raise ConfigError(
            "SLACK_APP_TOKEN is not set, and --mode socket needs it: "
            "an app-level token (xapp-...) with connections:write"
        )
    if mode == "http" and not settings.slack_signing_secret:
        raise ConfigError(
            "SLACK_SIGNING_SECRET is not set, and --mode http needs it: "
            "your Slack app's Basic Information page (App Credentials)"
        )
    socket_mode = settings.socket_mode if mode == "auto" else mode == "socket"
    logsetup.setup(
        settings.log_level,
        secrets=[
            settings.slack_bot_token,
            settings.slack_app_token,
            settings.slack_signing_secret,
            settings.pe_rbac_token,
        ],
    )
    bot = build(settings, policy_explicit=settings.policy_file_explicit)
    log.info("starting: %r", settings)
    bot.start()
    try:
        if socket_mode:
            serve.serve_socket_mode(bot, str(settings.slack_app_token), port=settings.port)
        else:
            serve.serve_http(bot, settings.port)
    except KeyboardInterrupt:
        pass
    finally:
        bot.shutdown()
    return 0


def _command(args: argparse.Namespace) -> int:
    """Run one subcommand with the settings it reads (the environment is read here, once)."""
    env = config.environment()
    if args.cmd == "demo":
        # Imported here only: the demo brings the stand-ins, which a running bot never loads.
        from demo.console import run_demo

        policy_file = config.setting(env, "POLICY_FILE") or "policy.toml"
        return run_demo(
            node_seconds=args.node_seconds, database=args.database, policy_file=policy_file
        )
    if args.cmd == "policy":
        offline = config.load_offline(env)
        return policy_check(
            " ".join(args.text),
            user=args.user,
            channel=args.channel,
            settings=offline,
            pe_user=args.pe_user,
        )
    if args.cmd == "audit":
        return audit_export(since=args.since, fmt=args.format, settings=config.load_offline(env))
    return run(config.load(env), getattr(args, "mode", "auto"))


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _command(args)
    except ConfigError as exc:
        # Every configuration problem (a setting, the policy, the connection profiles, the PE
        # CA or token file) is a ConfigError: one line, and exit 2, never a traceback.
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
