"""`/_fake/...`: the fake's own admin API, for a fake running in another process (benchmarks).

Not part of Slack. GET /_fake/calls[?method=M][&blocks=1] lists the calls answered (channel,
ts, thread_ts, text and metadata of each; the blocks too when asked); POST /_fake/response_url
{channel, user} makes a response URL; POST /_fake/channels {"channels": [...]} adds channels the
bot is a member of; GET /_fake/messages?channel=C lists what a channel shows (ts, text, blocks,
metadata); GET /_fake/rate_limits counts the 429s the enforced limits sent, per method,
and POST /_fake/rate_limits {"enabled": false} switches the limits off (true: on).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

from standins.slack.server import HttpRequest, Reply

KEPT = ("channel", "ts", "thread_ts", "text", "metadata")


def handle(fake: Any, request: HttpRequest) -> Reply:
    route = (request.verb, request.path.rstrip("/"))
    if route == ("GET", "/_fake/calls"):
        query = parse_qs(request.query)
        method = (query.get("method") or [None])[0]
        kept = (*KEPT, "blocks") if (query.get("blocks") or ["0"])[0] == "1" else KEPT
        calls = [
            {
                "method": c.method,
                "time": c.time,
                "status": c.status,
                "error": c.error,
                "params": {k: c.params[k] for k in kept if k in c.params},
            }
            for c in fake.calls(method)
        ]
        return Reply(200, {"ok": True, "calls": calls})
    if route == ("GET", "/_fake/messages"):
        channel = (parse_qs(request.query).get("channel") or [""])[0]
        found = [
            {"ts": m.ts, "text": m.text, "blocks": m.blocks, "metadata": m.metadata}
            for m in fake.messages(channel)
        ]
        return Reply(200, {"ok": True, "messages": found})
    if route == ("GET", "/_fake/rate_limits"):
        return Reply(200, {"ok": True, "refused": fake.rate_limited_count})
    body = _json(request.body)
    if route == ("POST", "/_fake/rate_limits"):
        fake.rate_limits(bool(body.get("enabled", True)))
        return Reply(200, {"ok": True})
    if route == ("POST", "/_fake/response_url"):
        url = fake.new_response_url(channel=body.get("channel"), user=body.get("user"))
        return Reply(200, {"ok": True, "url": url})
    if route == ("POST", "/_fake/channels"):
        for channel in body.get("channels") or ():
            fake.add_channel(channel, channel.lower())
        return Reply(200, {"ok": True})
    return Reply(404, {"ok": False, "error": "not_found"})


def _json(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
