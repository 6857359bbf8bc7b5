"""The PE orchestrator ChatOps bot: `python bot.py [run|demo|policy check|audit]`."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

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
    audit = sub.add_parser("audit", help="export the audit log")
    audit.add_argument("--since", default="7d", help="how far back: 90m, 36h, 7d (default 7d)")
    audit.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    return parser


def _settings() -> tuple[object, dict[str, str]]:
    import config

    env = config.environment()
    try:
        return config.load(env), env
    except config.ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def run(mode: str = "auto") -> int:
    from flows.profiles import ProfileError
    from orchestrator.connection import ConnectionSettingsError
    from policy import PolicyError
    from runtime import logsetup, serve
    from runtime.assemble import build

    settings, env = _settings()
    if mode == "socket" and not settings.socket_mode:
        print(
            "configuration error: SLACK_APP_TOKEN is not set, and --mode socket needs it: "
            "an app-level token (xapp-...) with connections:write",
            file=sys.stderr,
        )
        return 2
    if mode == "http" and not settings.slack_signing_secret:
        print(
            "configuration error: SLACK_SIGNING_SECRET is not set, and --mode http needs it: "
            "your Slack app's Basic Information page (App Credentials)",
            file=sys.stderr,
        )
        return 2
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
    try:
        bot = build(settings, policy_explicit=bool(env.get("POLICY_FILE")))
    except (ConnectionSettingsError, PolicyError, ProfileError) as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    log.info("starting: %r", settings)
    bot.start()
    try:
        if socket_mode:
            serve.serve_socket_mode(bot, settings.slack_app_token, port=settings.port)
        else:
            serve.serve_http(bot, settings.port)
    except KeyboardInterrupt:
        pass
    finally:
        bot.shutdown()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.cmd == "demo":
        from demo.console import run_demo

        return run_demo(node_seconds=args.node_seconds, database=args.database)
    if args.cmd == "policy":
        from admin import policy_check

        return policy_check(" ".join(args.text), user=args.user, channel=args.channel)
    if args.cmd == "audit":
        from admin import audit_export

        return audit_export(since=args.since, fmt=args.format)
    return run(getattr(args, "mode", "auto"))


if __name__ == "__main__":
    sys.exit(main())
