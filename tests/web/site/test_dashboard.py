"""The home page as a dashboard of pending work: pairs to review, runs that failed, estimates
made before the persons last changed, each only for those who may see it."""

from __future__ import annotations

from pathlib import Path

from django.test import Client

from inquest.web.linking import queue
from inquest.web.runs import services as runs

from ..personas import Personas
from ..review.bulk import seed_pending_pairs


def _home(user: object) -> str:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_pairs_to_review_are_counted_once_the_queue_is_built(
    personas: Personas, tmp_path: Path
) -> None:
    run = seed_pending_pairs(personas.analyst, 30, tmp_path)
    assert "Open the review queue" in _home(personas.analyst)  # not built by the dashboard
    queue.ensure_built(run)
    assert "30 pairs to review" in _home(personas.analyst)
    assert "pairs to review" not in _home(personas.reader)  # may not review


def test_failed_and_stale_runs_are_listed(personas: Personas, tmp_path: Path) -> None:
    boss = personas.investigator
    older = seed_pending_pairs(boss, 3, tmp_path / "a")
    estimate = runs.start_estimate_run(
        boss, method="loglinear", parameters={}, input_sha256="cd" * 32, linkage_run=older
    )
    runs.finish_run(boss, estimate, results={"estimate": 10})
    assert "Nothing is waiting" not in _home(boss)  # the queue of the run waits
    html = _home(boss)
    assert "before the persons last changed" not in html  # made from the newest run
    newer = runs.start_linkage_run(
        boss, sources=list(older.sources.all()), parameters={}, input_sha256="ef" * 32
    )
    runs.finish_run(boss, newer, results={})
    broken = runs.start_estimate_run(
        boss, method="dga", parameters={}, input_sha256="ab" * 32, linkage_run=newer
    )
    runs.fail_run(boss, broken, error="synthetic failure")
    html = _home(boss)
    assert "before the persons last changed" in html and str(estimate.uid.hex)[:8] in html
    assert "Estimate failed:" in html and str(broken.uid.hex)[:8] in html
    assert "Estimate failed:" not in _home(personas.reader)  # internal runs, not theirs
