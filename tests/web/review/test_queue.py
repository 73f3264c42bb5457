"""The review queue at real size: pages of names, filters, keyset paging, next pair."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from inquest.web.access.levels import Level
from inquest.web.audit.models import AuditEntry
from inquest.web.linking.models import QueuedPair, ReviewDecision
from inquest.web.registry.models import Record

from ..personas import Personas
from .bulk import seed_pending_pairs

PAIRS = 1500


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_queue_and_pair_page_answer_with_many_pending_pairs(
    personas: Personas, tmp_path: Path
) -> None:
    """Once a giant OR of every pair: SQLite refused it ("Expression tree is too large")."""
    seed_pending_pairs(personas.analyst, PAIRS, tmp_path)
    client = _client(personas.analyst)
    page = client.get("/review/")
    assert page.status_code == 200
    html = page.content.decode()
    rows = page.context["page"].rows
    assert len(rows) == 50
    assert page.context["page"].total == 1000 and page.context["page"].capped
    assert "more than 1,000 pairs" in html
    first = rows[0]
    # names in their own scripts and a key field, not internal ids
    assert first.left.name and first.left.name in html and first.right.name in html
    assert "Father&#x27;s name:</dt>" in html and "father_name" not in html
    assert "against: Date of death or execution" in html and "uncertain score" not in html
    even = client.get("/review/?order=even-odds").context["page"].rows
    probabilities = [r.pair.probability for r in even]
    assert sorted(probabilities, key=lambda p: abs(p - 0.5)) == probabilities
    # the default order: the largest expected narrowing of the estimate first
    values = [r.pair.value for r in rows]
    assert values == sorted(values, reverse=True) and values[0] > 0
    pair_url = f"/review/{first.left.record.uid}/{first.right.record.uid}/"
    pair = client.get(pair_url)
    assert pair.status_code == 200
    left = first.left.record.current.raw
    assert left["given_name"] in pair.content.decode()
    assert left["family_name"] in pair.content.decode()


@pytest.mark.parametrize(("order", "field"), [("even-odds", "rank"), ("value", "value_rank")])
def test_queue_pages_by_keyset_and_filters(
    personas: Personas, tmp_path: Path, order: str, field: str
) -> None:
    seed_pending_pairs(personas.analyst, 120, tmp_path)
    client = _client(personas.analyst)
    first = client.get(f"/review/?order={order}").context["page"]
    assert first.before is None and first.after is not None
    second = client.get(f"/review/?order={order}&after={first.after}").context["page"]
    third = client.get(f"/review/?order={order}&after={second.after}").context["page"]
    ranks = [getattr(r.pair, field) for p in (first, second, third) for r in p.rows]
    assert len(ranks) == 120 == len(set(ranks)) and ranks == sorted(ranks)
    assert third.after is None
    back = client.get(f"/review/?order={order}&before={second.before}").context["page"]
    assert [r.pair.pk for r in back.rows] == [r.pair.pk for r in first.rows]
    if order == "value":
        values = [r.pair.value for p in (first, second, third) for r in p.rows]
        assert values == sorted(values, reverse=True)
    band = client.get("/review/?low=0.08&high=0.1").context["page"]
    assert band.rows and all(0.08 <= r.pair.probability <= 0.1 for r in band.rows)
    assert client.get("/review/?first=QB&second=QA").context["page"].total == 120
    assert client.get("/review/?first=QA&second=QA").context["page"].total == 0
    assert client.get("/review/?second=QB").context["page"].total == 120
    assert client.get("/review/?low=x&state=nonsense").status_code == 200


def test_a_decision_moves_to_the_next_undecided_pair(personas: Personas, tmp_path: Path) -> None:
    seed_pending_pairs(personas.analyst, 5, tmp_path)
    client = _client(personas.analyst)
    rows = client.get("/review/").context["page"].rows
    one, two = rows[0], rows[1]
    done = client.post(
        f"/review/{one.left.record.uid}/{one.right.record.uid}/",
        {"judgement": "non-match", "note": "", "seen": ""},
    )
    assert done.status_code == 302
    assert done["Location"] == f"/review/{two.left.record.uid}/{two.right.record.uid}/"
    assert client.get("/review/").context["page"].total == 4  # undecided by default
    decided = client.get("/review/?state=decided").context["page"]
    assert [r.pair.rank for r in decided.rows] == [one.pair.rank]
    assert decided.rows[0].decision is not None
    mine = client.get(f"/review/?state=all&reviewer={personas.analyst.username}")
    assert mine.context["page"].total == 1
    assert client.get("/review/?state=all&reviewer=nobody").context["page"].total == 0
    assert ReviewDecision.objects.count() == 1


def test_queue_shows_only_pairs_the_user_may_review(personas: Personas, tmp_path: Path) -> None:
    seed_pending_pairs(personas.analyst, 10, tmp_path)
    client = _client(personas.analyst)
    assert client.get("/review/").context["page"].total == 10
    pair = QueuedPair.objects.order_by("rank").first()
    assert pair is not None
    Record.objects.filter(pk=pair.record_a_id).update(confidentiality=Level.PROTECTED)
    page = client.get("/review/").context["page"]
    assert page.total == 9 and pair.rank not in [r.pair.rank for r in page.rows]
    assert _client(personas.researcher).get("/review/").status_code == 403


def test_protected_pairs_shown_in_the_queue_are_audited(personas: Personas, tmp_path: Path) -> None:
    seed_pending_pairs(personas.investigator, 3, tmp_path, level=Level.PROTECTED)
    client = _client(personas.investigator)
    page = client.get("/review/")
    assert page.status_code == 200 and page.context["page"].total == 3
    entry = AuditEntry.objects.filter(action="view").latest("id")
    shown = set(entry.detail["objects"])
    for row in page.context["page"].rows:
        for side in row.sides:
            assert f"registry.Record:{side.record.pk}" in shown
            assert f"registry.RecordVersion:{side.version.pk}" in shown


def test_previous_pair_goes_back_to_a_decided_one(personas: Personas, tmp_path: Path) -> None:
    seed_pending_pairs(personas.analyst, 4, tmp_path)
    client = _client(personas.analyst)
    one, two, _, _ = client.get("/review/").context["page"].rows
    first = f"/review/{one.left.record.uid}/{one.right.record.uid}/"
    second = f"/review/{two.left.record.uid}/{two.right.record.uid}/"
    assert client.post(first, {"judgement": "match", "seen": ""})["Location"] == second
    page = client.get(second)
    assert page.context["previous"].pk == one.pair.pk
    assert client.get(first).context["following"].pk == two.pair.pk


def test_queue_in_persian(personas: Personas, tmp_path: Path) -> None:
    seed_pending_pairs(personas.analyst, 3, tmp_path)
    page = _client(personas.analyst).get("/review/", headers={"accept-language": "fa"})
    html = page.content.decode()
    assert 'dir="rtl"' in html and "پالایش" in html and "رکورد نخست" in html
    assert "امتیاز میان دو آستانهٔ بازبینی" in html
    for english in (">Filter<", "First record", "score between the review thresholds"):
        assert english not in html
