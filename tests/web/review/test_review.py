"""Review pages and decisions: queue, evidence, concurrency, history, access, shortcuts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles.views import serve
from django.db import DatabaseError, IntegrityError, transaction
from django.test import Client, RequestFactory

from inquest.web.audit.models import AuditEntry
from inquest.web.linking.link import link_sources
from inquest.web.linking.models import ReviewDecision, ReviewQueue
from inquest.web.registry.models import Record

from ..factories import make_records, make_source
from ..linking.world import import_world
from ..personas import Personas


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _url(a: int, b: int) -> str:
    """The page of the pair of records ``a``, ``b`` (primary keys), named by public ids."""
    uids = dict(Record.objects.filter(pk__in=(a, b)).values_list("pk", "uid"))
    return f"/review/{uids[a]}/{uids[b]}/"


def _pair(personas: Personas) -> tuple[int, int]:
    a = make_records(personas.analyst, make_source(personas.analyst, "A"), 1)[0]
    b = make_records(personas.analyst, make_source(personas.analyst, "B"), 2)[1]
    return a.pk, b.pk


@pytest.mark.slow
def test_queue_pair_page_and_decision_from_a_real_run(personas: Personas, tmp_path: Path) -> None:
    analyst = personas.analyst
    sources = import_world(analyst, tmp_path)
    run = link_sources(analyst, sources, out_dir=tmp_path / "run").run
    # the queue is written with the run, not at the review page's first visit
    assert ReviewQueue.objects.filter(run=run).exists()
    client = _client(analyst)
    page = client.get("/review/")
    assert page.status_code == 200
    items = [row.pair for row in page.context["page"].rows]
    assert items, "a simulated world has uncertain pairs"
    assert all(0.0 < i.probability < 1.0 for i in items)
    assert any(i.reason == "band" for i in items)
    first = items[0]
    a_uid, b_uid = first.record_a.uid, first.record_b.uid
    pair = client.get(f"/review/{a_uid}/{b_uid}/")
    assert pair.status_code == 200
    html = pair.content.decode()
    evidence = pair.context["evidence"]
    assert evidence is not None and evidence.bars[0].step.comparison == "prior"
    # the waterfall's steps add up to the pair's match weight
    assert abs(evidence.bars[-1].step.total - evidence.match_weight) < 0.05
    assert html.count("<rect ") == len(evidence.bars)
    assert 'data-key="m"' in html and 'data-key="n"' in html and 'data-key="u"' in html
    assert "inquest/js/review.js" in html and "<script>" not in html
    left = Record.objects.get(pk=first.record_a_id)
    for value in left.current.raw.values():
        assert value in html
    assert 'dir="auto"' in html
    done = client.post(
        f"/review/{a_uid}/{b_uid}/",
        {"judgement": "match", "note": "same father", "seen": ""},
    )
    assert done.status_code == 302
    decision = ReviewDecision.objects.get()
    assert (decision.record_a_id, decision.record_b_id) == (first.record_a_id, first.record_b_id)
    assert decision.judgement == "match" and decision.note == "same father"
    assert decision.linkage_run is not None and decision.match_probability == pytest.approx(
        first.probability
    )
    assert AuditEntry.objects.filter(action="review.decide").count() == 1


def test_two_reviewers_do_not_overwrite_each_other(personas: Personas) -> None:
    a, b = _pair(personas)
    first, second = _client(personas.analyst), _client(personas.investigator)
    url = _url(a, b)
    assert first.get(url).status_code == 200 and second.get(url).status_code == 200
    # both saw no decision; the first one writes
    assert first.post(url, {"judgement": "match", "note": "", "seen": ""}).status_code == 302
    clash = second.post(url, {"judgement": "non-match", "note": "different fathers", "seen": ""})
    assert clash.status_code == 409
    html = clash.content.decode()
    assert "synthetic-analyst" in html and "different fathers" in html
    assert ReviewDecision.objects.count() == 1
    # having seen the first decision, the second reviewer may record theirs after it
    kept = ReviewDecision.objects.get()
    token = re.search(r'name="seen" value="([^"]*)"', html)
    assert token is not None and token.group(1) not in ("", str(kept.pk))  # no sequential id
    assert second.post(
        url, {"judgement": "non-match", "note": "", "seen": str(kept.pk)}
    ).status_code in (400, 409)
    again = second.post(
        url, {"judgement": "non-match", "note": "different fathers", "seen": token.group(1)}
    )
    assert again.status_code == 302
    history = list(ReviewDecision.objects.order_by("id"))
    assert [d.judgement for d in history] == ["match", "non-match"]
    assert history[1].supersedes_id == history[0].pk
    assert history[0].judgement == "match"  # the first is kept as it was


def test_database_keeps_one_line_of_decisions_per_pair(personas: Personas) -> None:
    a, b = _pair(personas)
    first = ReviewDecision.objects.create(record_a_id=a, record_b_id=b, judgement="match")
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewDecision.objects.create(record_a_id=a, record_b_id=b, judgement="unsure")
    ReviewDecision.objects.create(
        record_a_id=a, record_b_id=b, judgement="unsure", supersedes=first
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewDecision.objects.create(
            record_a_id=a, record_b_id=b, judgement="non-match", supersedes=first
        )
    with pytest.raises(ValueError, match="append-only"):
        first.save()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ReviewDecision.objects.filter(pk=first.pk).update(judgement="non-match")
    with pytest.raises(DatabaseError), transaction.atomic():
        ReviewDecision.objects.filter(pk=first.pk).delete()


def test_review_needs_the_review_right(personas: Personas) -> None:
    a, b = _pair(personas)
    url = _url(a, b)
    assert Client().get("/review/").status_code == 302  # anonymous: sign in first
    reader = _client(personas.reader)
    assert reader.get("/review/").status_code == 403
    assert reader.get(url).status_code == 404  # internal records are not visible to the public
    researcher = _client(personas.researcher)  # sees internal records, may not review
    assert researcher.get("/review/").status_code == 403
    assert researcher.get(url).status_code == 403
    denied = researcher.post(url, {"judgement": "match", "seen": ""})
    assert denied.status_code == 403
    assert not ReviewDecision.objects.exists()
    assert researcher.get("/link/").status_code == 403
    assert _client(personas.analyst).get("/link/").status_code == 200


def test_unknown_decision_and_bad_form_are_refused(personas: Personas) -> None:
    a, b = _pair(personas)
    client = _client(personas.analyst)
    url = _url(a, b)
    assert client.post(url, {"judgement": "maybe", "seen": ""}).status_code == 400
    assert client.post(url, {"judgement": "match", "seen": "x"}).status_code == 400
    assert client.post(url, {"judgement": "match", "seen": "999999"}).status_code == 400
    assert client.get(_url(b, a)).status_code == 404
    assert not ReviewDecision.objects.exists()


def test_keyboard_shortcuts_file_is_served(db: None) -> None:
    response = serve(RequestFactory().get("/"), "inquest/js/review.js", insecure=True)
    try:
        body = b"".join(response.streaming_content).decode()  # type: ignore[arg-type]
    finally:
        response.close()
    assert response.status_code == 200
    for key in "mnujk":
        assert key in body
    assert "data-key" in body


def test_pair_page_in_persian_is_right_to_left(personas: Personas) -> None:
    a, b = _pair(personas)
    client = _client(personas.analyst)
    html = client.get(_url(a, b), headers={"accept-language": "fa"}).content.decode()
    assert 'dir="rtl"' in html
    assert "یک شخص‌اند؟" in html and "عدم تطابق" in html
    assert "علی" in html  # names in their original script
