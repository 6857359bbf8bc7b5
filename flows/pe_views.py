"""What `/pe` shows: the sign-in modal, its result, and the private **Sign in to PE** prompt.

Pure: views and messages as data. Slack cannot mask a text input, so the modal says so.
"""

from __future__ import annotations

from typing import Any

from render.blocks import Message

CALLBACK = "pe_login"
SIGN_IN_ACTION = "pe_sign_in"
LOGIN, PASSWORD, TOKEN = "pe_user", "pe_password", "pe_token"


def _text(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def _section(markdown: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": markdown}}


def _input(block: str, label: str, hint: str, placeholder: str) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block,
        "optional": True,
        "label": _text(label),
        "hint": _text(hint),
        "element": {
            "type": "plain_text_input",
            "action_id": block,
            "placeholder": _text(placeholder),
        },
    }


def sign_in_form(lifetime: str, channel: str = "") -> dict[str, Any]:
    """The modal: a PE username and password, or a pasted token (not both). `channel` (in
    private_metadata) is where to answer privately how it went."""
    return {
        "type": "modal",
        "callback_id": CALLBACK,
        "private_metadata": channel,
        "title": _text("Sign in to PE"),
        "submit": _text("Sign in"),
        "close": _text("Cancel"),
        "blocks": [
            _section(
                "Commands you ask for will run as *your own* PE user, with your PE permissions. "
                "Fill in *either* your PE username and password *or* a token, not both."
            ),
            _input(LOGIN, "PE username", "Your PE console login.", "alice"),
            _input(
                PASSWORD,
                "PE password",
                "Slack cannot hide what you type here: the password is VISIBLE while typed. "
                "It is exchanged once for a token lasting "
                f"{lifetime} and never stored, logged or shown.",
                "visible while you type",
            ),
            _input(
                TOKEN,
                "Or paste a PE token",
                "From `puppet access login` (~/.puppetlabs/token) or the PE console: for single "
                "sign-on users. The bot never revokes a pasted token.",
                "a token",
            ),
        ],
    }


def notice(title: str, markdown: str) -> dict[str, Any]:
    """A modal with no inputs: 'Signing in…' and then the outcome."""
    return {
        "type": "modal",
        "callback_id": f"{CALLBACK}_done",
        "title": _text(title[:24]),
        "close": _text("Close"),
        "blocks": [_section(markdown)],
    }


def form_errors(values: dict[str, Any]) -> dict[str, str]:
    """What is wrong with a submitted form, by block (empty when it can be tried)."""
    login, password, token = (field(values, b) for b in (LOGIN, PASSWORD, TOKEN))
    if token and (password or login):
        return {TOKEN: "Fill in either a username and password or a token, not both."}
    if token:
        return {}
    if not login and not password:
        return {LOGIN: "Fill in your PE username and password, or paste a token below."}
    if not login:
        return {LOGIN: "Fill in your PE username."}
    if not password:
        return {PASSWORD: "Fill in your PE password."}
    return {}


def field(values: dict[str, Any], block: str) -> str:
    value = ((values.get(block) or {}).get(block) or {}).get("value")
    return value.strip() if isinstance(value, str) else ""


def sign_in_prompt(reason: str) -> Message:
    """The private answer to a person who must sign in first: nothing ran."""
    text = f"Nothing was run: {reason}. Commands run as your own PE user, so sign in first."
    return Message(
        text=text,
        blocks=(
            _section(f":lock: {text}"),
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": SIGN_IN_ACTION,
                        "style": "primary",
                        "text": _text("Sign in to PE"),
                        "value": "login",
                    }
                ],
            },
        ),
    )


def plain(text: str) -> Message:
    return Message(text=text, blocks=(_section(text),))


USAGE = (
    "`/pe login` opens a form to sign in to PE (username and password, or a pasted token); "
    "`/pe whoami` shows who you are in PE and when your token expires; `/pe logout` signs you "
    "out. Never type a password or token after `/pe`."
)
