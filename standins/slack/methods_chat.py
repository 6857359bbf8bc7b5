"""chat.* methods and response_url posts: the calls that change what people see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from standins.slack.limits import InvalidBlocksFormat, block_errors, truncate_text
from standins.slack.model import BOT_USER_ID, Ephemeral, MessageVersion, ResponsePost, SlackEvent
from standins.slack.state import ResponseUrl, State, StoredMessage
from standins.slack.wire import ApiError, Outcome, flag, json_arg, required, text_arg

RESPONSE_URL_USES = 5
RESPONSE_URL_LIFETIME = 30 * 60


@dataclass(frozen=True)
class Content:
    """Validated message content; `blocks`/`metadata` are None when the caller left them out."""

    text: str
    blocks: list[dict[str, Any]] | None
    metadata: dict[str, Any] | None
    truncated: bool
    missing_fallback: bool


def read_content(params: dict[str, Any], *, status: int = 200) -> Content:
    """Text, blocks and metadata as Slack would accept them, or the error Slack would give."""
    text = text_arg(params, "text") or text_arg(params, "markdown_text") or ""
    blocks = json_arg(params, "blocks", "invalid_blocks_format")
    if blocks is not None:
        try:
            errors = block_errors(blocks)
        except InvalidBlocksFormat as exc:
            raise ApiError("invalid_blocks_format", status) from exc
        if errors:
            messages = [f"[ERROR] {e}" for e in errors]
            raise ApiError(
                "invalid_blocks", status, errors=errors, response_metadata={"messages": messages}
            )
    if not text.strip() and not blocks and not params.get("attachments"):
        raise ApiError("no_text", status)
    metadata = json_arg(params, "metadata", "invalid_metadata_format")
    if metadata is not None and not (
        isinstance(metadata, dict)
        and isinstance(metadata.get("event_type"), str)
        and isinstance(metadata.get("event_payload"), dict)
    ):
        raise ApiError("invalid_metadata_format", status)
    text, truncated = truncate_text(text)
    return Content(text, blocks, metadata, truncated, bool(blocks) and not text.strip())


def _count(state: State, content: Content, where: str) -> None:
    if content.missing_fallback:
        state.missing_fallback_text += 1
        state.warn(f"{where}: blocks without a top-level text fallback")
    if content.truncated:
        state.truncated_texts += 1
        state.warn(f"{where}: text over 40,000 characters was truncated")


def _event(kind: str, message: StoredMessage, source: str = "api") -> SlackEvent:
    current = message.current
    return SlackEvent(
        kind,
        message.channel,
        message.ts,
        message.thread_ts,
        current.text,
        current.blocks,
        message.user,
        source,
        current.metadata,
    )


def post_message(state: State, params: dict[str, Any]) -> Outcome:
    channel = state.channel_for_write(required(params, "channel")).id
    content = read_content(params)
    thread_ts = text_arg(params, "thread_ts") or None
    version = MessageVersion(
        content.text, content.blocks, content.metadata, state.clock(), "chat.postMessage"
    )
    stored = state.add_message(
        channel,
        version,
        thread_ts=thread_ts,
        reply_broadcast=thread_ts is not None and flag(params, "reply_broadcast"),
        truncated=content.truncated,
    )
    _count(state, content, "chat.postMessage")
    body = {
        "ok": True,
        "channel": channel,
        "ts": stored.ts,
        "message": state.api_message(stored, with_metadata=True),
    }
    return Outcome(body, (_event("posted", stored),))


def _own_message(state: State, params: dict[str, Any], refusal: str) -> StoredMessage:
    channel = state.channel_for_write(required(params, "channel")).id
    message = state.find(channel, required(params, "ts"))
    if message is None:
        raise ApiError("message_not_found")
    if message.user != BOT_USER_ID:
        raise ApiError(refusal)
    return message


def update(state: State, params: dict[str, Any]) -> Outcome:
    message = _own_message(state, params, "cant_update_message")
    content = read_content(params)
    current = message.current
    # Slack keeps the previous blocks and metadata unless the update names them ([] clears).
    blocks = current.blocks if "blocks" not in params else content.blocks
    metadata = current.metadata if content.metadata is None else content.metadata
    version = MessageVersion(content.text, blocks, metadata, state.clock(), "chat.update")
    state.edit(message, version, truncated=content.truncated)
    _count(state, content, "chat.update")
    body = {
        "ok": True,
        "channel": message.channel,
        "ts": message.ts,
        "text": content.text,
        "message": state.api_message(message, with_metadata=True),
    }
    return Outcome(body, (_event("updated", message),))


def delete(state: State, params: dict[str, Any]) -> Outcome:
    message = _own_message(state, params, "cant_delete_message")
    message.deleted = True
    return Outcome(
        {"ok": True, "channel": message.channel, "ts": message.ts}, (_event("deleted", message),)
    )


def post_ephemeral(state: State, params: dict[str, Any]) -> Outcome:
    channel = state.channel_for_write(required(params, "channel")).id
    user = required(params, "user")
    if user not in state.users:
        raise ApiError("user_not_found")
    content = read_content(params)
    thread_ts = text_arg(params, "thread_ts") or None
    state.ephemerals.append(
        Ephemeral(
            channel,
            user,
            content.text,
            content.blocks,
            thread_ts,
            "chat.postEphemeral",
            state.clock(),
        )
    )
    _count(state, content, "chat.postEphemeral")
    event = SlackEvent("ephemeral", channel, None, thread_ts, content.text, content.blocks, user)
    return Outcome({"ok": True, "message_ts": state.next_ts()}, (event,))


def respond(state: State, url: str, url_id: str, body: dict[str, Any]) -> Outcome:
    """A POST to a response_url: at most five, within thirty minutes, as Slack allows."""
    issued = _usable(state, url_id)
    deleting = flag(body, "delete_original")
    content = None if deleting else read_content(body, status=400)
    issued.uses += 1
    state.responses.append(ResponsePost(url, issued.channel, issued.user, body, state.clock()))
    original = None
    if issued.channel and issued.message_ts:
        original = state.find(issued.channel, issued.message_ts)
    if content is None:
        if original is None:
            return _response_event(issued, "", None)
        original.deleted = True
        return Outcome({"ok": True}, (_event("deleted", original, "response_url"),))
    _count(state, content, "response_url")
    replacing = flag(body, "replace_original")
    if replacing and original is not None:
        metadata = original.current.metadata if content.metadata is None else content.metadata
        version = MessageVersion(
            content.text, content.blocks, metadata, state.clock(), "response_url"
        )
        state.edit(original, version, truncated=content.truncated)
        return Outcome({"ok": True}, (_event("updated", original, "response_url"),))
    thread_ts = text_arg(body, "thread_ts") or None
    if body.get("response_type") == "in_channel" and issued.channel:
        version = MessageVersion(
            content.text, content.blocks, content.metadata, state.clock(), "response_url"
        )
        stored = state.add_message(
            issued.channel, version, thread_ts=thread_ts, truncated=content.truncated
        )
        return Outcome({"ok": True}, (_event("posted", stored, "response_url"),))
    ephemeral = Ephemeral(
        issued.channel,
        issued.user,
        content.text,
        content.blocks,
        thread_ts,
        "response_url",
        state.clock(),
    )
    state.ephemerals.append(ephemeral)
    if replacing:
        return _response_event(issued, content.text, content.blocks)
    event = SlackEvent(
        "ephemeral",
        issued.channel,
        None,
        thread_ts,
        content.text,
        content.blocks,
        issued.user,
        "response_url",
    )
    return Outcome({"ok": True}, (event,))


def _usable(state: State, url_id: str) -> ResponseUrl:
    issued = state.response_urls.get(url_id)
    if issued is None:
        raise ApiError("no_service", 404)
    if state.clock() - issued.created > RESPONSE_URL_LIFETIME:
        raise ApiError("expired_url", 404)
    if issued.uses >= RESPONSE_URL_USES:
        raise ApiError("used_url", 404)
    return issued


def _response_event(issued: ResponseUrl, text: str, blocks: list[dict[str, Any]] | None) -> Outcome:
    """A response that replaced or deleted an ephemeral original the fake never stored."""
    event = SlackEvent(
        "response", issued.channel, None, None, text, blocks, issued.user, "response_url"
    )
    return Outcome({"ok": True}, (event,))
