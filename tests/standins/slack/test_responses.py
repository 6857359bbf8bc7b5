"""response_url posts: recorded, applied to the original message, five uses at most."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from standins.slack import FakeSlack


def test_response_url_allows_five_posts_then_answers_404(fake: FakeSlack) -> None:
    webhook = WebhookClient(fake.new_response_url(channel="C0DEPLOYS", user="U0ALICE"))

    statuses = [webhook.send(text=f"update {i}").status_code for i in range(6)]
    last = webhook.send(text="again")

    assert statuses == [200] * 5 + [404]
    assert "used_url" in last.body
    assert len(fake.responses()) == 5
    assert [c.status for c in fake.calls("response_url")][-2:] == [404, 404]


def test_ephemeral_response_is_recorded_for_the_user(fake: FakeSlack) -> None:
    url = fake.new_response_url(channel="C0DEPLOYS", user="U0ALICE")

    WebhookClient(url).send(text="Only you see this")

    [post] = fake.responses()
    assert (post.url, post.text, post.response_type) == (url, "Only you see this", "ephemeral")
    assert [e.text for e in fake.ephemerals("U0ALICE")] == ["Only you see this"]
    assert fake.messages("C0DEPLOYS") == []


def test_in_channel_response_posts_a_message(fake: FakeSlack) -> None:
    url = fake.new_response_url(channel="C0DEPLOYS", user="U0ALICE")

    WebhookClient(url).send(text="Deploy queued", response_type="in_channel")

    assert [m.text for m in fake.messages("C0DEPLOYS")] == ["Deploy queued"]


def test_replace_original_edits_the_clicked_message(fake: FakeSlack, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C0DEPLOYS", text="Approve?")["ts"]
    url = fake.new_response_url(channel="C0DEPLOYS", user="U0BOB", message_ts=ts)

    WebhookClient(url).send(text="Approved by bob", replace_original=True)

    message = fake.message("C0DEPLOYS", ts)
    assert [v.text for v in message.versions] == ["Approve?", "Approved by bob"]
    assert message.versions[-1].source == "response_url"


def test_delete_original_removes_the_clicked_message(fake: FakeSlack, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C0DEPLOYS", text="Approve?")["ts"]
    url = fake.new_response_url(channel="C0DEPLOYS", message_ts=ts)

    WebhookClient(url).send_dict({"delete_original": True})

    assert fake.messages("C0DEPLOYS") == []


def test_response_with_invalid_blocks_is_refused_without_using_the_url(fake: FakeSlack) -> None:
    webhook = WebhookClient(fake.new_response_url(channel="C0DEPLOYS"))
    header = {"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}

    refused = webhook.send(text="x", blocks=[header])

    assert refused.status_code == 400
    assert "invalid_blocks" in refused.body
    assert fake.responses() == []


@pytest.mark.parametrize("url_suffix", ["response/R999999", "nowhere"])
def test_unknown_urls_answer_404(fake: FakeSlack, url_suffix: str) -> None:
    assert WebhookClient(fake.url + url_suffix).send(text="x").status_code == 404


def test_response_url_expires_after_thirty_minutes() -> None:
    now = [1000.0]
    with FakeSlack(clock=lambda: now[0]) as fake:
        url = fake.new_response_url(channel="C0DEPLOYS")
        now[0] += 30 * 60 + 1

        late = WebhookClient(url).send(text="too late")

    assert late.status_code == 404
    assert "expired_url" in late.body
