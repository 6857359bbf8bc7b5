"""Cards say what runs, whatever the user typed: literal user text, the mode, the reach."""

from __future__ import annotations

from policy.reach import NodeFacts, Reach, of_nodes
from render import Renderer
from render.approval import approval_card_data
from render.reach import NEXT, PAGE, PREVIOUS, nodes_modal, reach_view
from render.renderer import literal
from store.approvals import ApprovalRow
from store.requests import RequestRow
from tests.support.harness import block_text

FORGED = "weekly\n*Options:* noop\n*Target:* 1 node: web01.example.com"


def test_literal_keeps_user_text_on_one_line_in_a_code_span() -> None:
    assert literal("a\n*b*\r\n_c_\t`d`") == "`a ↵ *b* ↵ _c_ ⇥ ˋdˋ`"
    assert literal("<!channel> & co") == "`&lt;!channel&gt; &amp; co`"
    assert literal("x" * 400, 300).endswith("` (+100 more characters)")
    assert literal("\x00\x1b[31m") == "`��[31m`"


def reach_of(count: int, dev_every: int = 5) -> Reach:
    names = [f"n{i:04d}.example.com" for i in range(count)]
    facts = {
        n: NodeFacts(n, "development" if i % dev_every == 0 else "production")
        for i, n in enumerate(names)
    }
    return Reach(of_nodes(names, facts), target="query nodes[certname] { }", pinned=True)


def card(
    body: dict, reach: Reach | None, endpoint: str = "deploy", evidence: dict | None = None
) -> str:
    request = RequestRow(
        id="r1", created_at=0.0, channel_id="C0DEPLOYS", user_id="U0ALICE", command="deploy",
        text="/deploy", endpoint=endpoint, body=body, fingerprint="abc", state="awaiting_approval",
        rule="default", response_url=None, job_id=None, error=None, evidence=evidence,
        reach=reach.to_json() if reach else None,
    )  # fmt: skip
    approval = ApprovalRow(
        id="a1", request_id="r1", channel_id="C0DEPLOYS", card_ts=None, state="pending",
        requester="U0ALICE", approvers={}, required=1, self_approval=False, rule="default",
        created_at=0.0, expires_at=1800.0, decided_by=None, decided_at=None, reason=None,
        card_version=1, card_sent_version=0, card_sent_at=None,
    )  # fmt: skip
    data = approval_card_data(approval, request, votes=[], now=0.0)
    message = Renderer().render("approval_card", **data)
    return block_text(list(message.blocks))


def test_a_forged_description_cannot_pose_as_the_cards_fields() -> None:
    body = {"environment": "production", "scope": {"nodes": ["n0001.example.com"]},
            "description": FORGED, "userdata": {"note": FORGED}}  # fmt: skip
    text = card(body, reach_of(3))
    lines = text.splitlines()
    assert not [ln for ln in lines if ln.startswith(("*Options:*", "*Target:* 1 node"))]
    assert "*Mode:* ⚠️ enforcing" in text
    assert "*Description:* `weekly ↵ *Options:* noop ↵ *Target:* 1 node: web01.example.com`" in text


def test_parameters_and_queries_are_shown_literally() -> None:
    body = {"environment": "development", "task": "exec", "scope": {"query": "nodes[c] {\n*x*}"},
            "params": {"command": "ls\n*Mode:* noop"}}  # fmt: skip
    text = card(body, None, endpoint="task")
    assert "*Parameters:* `command`=`ls ↵ *Mode:* noop`" in text
    assert "*Target:* query `nodes[c] { ↵ *x*}`" in text


def test_few_nodes_are_listed_by_environment_and_many_are_counted() -> None:
    few = card({"environment": "production", "scope": {"nodes": []}}, reach_of(4))
    assert "*Reaches:* 4 nodes: 3 in *production*, 1 in development" in few
    assert "• development: `n0000.example.com`" in few and "Show all" not in few
    many = card({"environment": "production", "scope": {"nodes": []}}, reach_of(250))
    assert "*Reaches:* 250 nodes: 200 in *production*, 50 in development" in many
    assert "Show all 250 nodes" in many and "n0001.example.com" not in many
    assert "*Pinned:* `query nodes[certname] { }` resolved to these 250 nodes" in many


def test_the_nodes_modal_pages_every_node_grouped_by_environment() -> None:
    reach = reach_of(250)
    seen: list[str] = []
    for page in (1, 2, 3):
        view = nodes_modal("Puppet run", reach, page, "a1")
        assert len(view["blocks"]) <= 100
        text = "\n".join(b["text"]["text"] for b in view["blocks"] if b.get("text"))
        seen += [ln.split("`")[1] for ln in text.splitlines() if ln.startswith("•")]
        buttons = [e["action_id"] for b in view["blocks"] if b["type"] == "actions"
                   for e in b["elements"]]  # fmt: skip
        assert buttons == [*([PREVIOUS] if page > 1 else []), *([NEXT] if page < 3 else [])]
    assert sorted(seen) == sorted(reach.certnames) and len(seen) == 250
    assert PAGE == 100
    assert reach_view(Reach(target="no nodes")) is None


def test_noop_evidence_counts_what_would_change_as_the_summary_does() -> None:
    """A failed resource is out of sync too, but it is not a change: the card and the noop
    run's summary must give the same number (4 out of sync, 1 of them failed: 3 would change)."""
    evidence = {
        "job": "7",
        "changed_count": 1,
        "changed_nodes": ["web03.example.com"],
        "resources": {"out_of_sync": 4, "failed": 1},
        "failed": [],
        "failed_count": 0,
    }
    body = {"environment": "production", "scope": {"nodes": ["web03.example.com"]}}
    text = card(body, reach_of(1), evidence=evidence)
    assert "(3 resources would change)" in text
    assert "out of sync" not in text
