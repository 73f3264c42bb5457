"""Engine terms (methods, interval kinds, option and diagnostic keys, assumptions, record
fields) are shown by their translated labels, in English and in Persian, while exports keep
the engine's keys."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from django.test import Client

from inquest.web.access.levels import Level
from inquest.web.runs.estimates import register_estimate_dir
from inquest.web.site import terms

from ..personas import Personas
from ..review.bulk import seed_pending_pairs
from ..runs.estimate_fixture import write_estimate_dir

ENGLISH_TERMS = ("credible", "bootstrap", "loglinear", "full_name", "father_name", "death_date")


@pytest.fixture(scope="module")
def estimate_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_estimate_dir(tmp_path_factory.mktemp("estimate"))


def _visible(client: Client, url: str, leave_out: tuple[str, ...] = ()) -> str:
    """The text a reader sees in the page's main part (tags and attributes dropped), with
    ``leave_out`` (engine messages still in English) removed."""
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="fa")
    assert response.status_code == 200
    page = response.content.decode()
    main = page[page.index("<main") : page.index("</main>")]
    text = html.unescape(re.sub(r"<[^>]*>", " ", main))
    for message in leave_out:
        text = text.replace(message, " ")
    return re.sub(r"\s+", " ", text)


def _absent(text: str, words: tuple[str, ...]) -> None:
    shown = [w for w in words if re.search(rf"(?i)\b{re.escape(w)}\b", text)]
    assert not shown, f"English terms on a Persian page: {shown}"


def test_estimates_and_run_page_in_persian_show_labels_not_engine_terms(
    client: Client, personas: Personas, estimate_dir: Path
) -> None:
    (run,) = register_estimate_dir(personas.analyst, estimate_dir).runs
    result = run.results["result"]
    assert result["interval"].startswith("bootstrap") and result["method"] == "loglinear"
    warnings = tuple(result["warnings"])
    client.force_login(personas.analyst)
    page = _visible(client, "/estimates/", warnings)
    _absent(page, ENGLISH_TERMS)
    assert "مدل‌های لگاریتمی-خطی" in page  # the method
    assert "بازهٔ بوت‌استرپ (جمع لایه‌ها)" in page  # the interval kind, strata summed
    assert "پیوند بی‌خطا" in page  # an assumption, in Persian
    assert "Perfect linkage" not in page

    run_page = _visible(client, f"/runs/estimate/{run.uid}/", warnings)
    _absent(run_page, ENGLISH_TERMS)
    assert "مدل‌های لگاریتمی-خطی" in run_page
    assert "بازهٔ بوت‌استرپ" in run_page
    assert "بازنمونه‌های بوت‌استرپ" in run_page  # the option n_boot
    assert "بازه‌ها به تفکیک نوع" in run_page  # the diagnostic "intervals"
    assert "گام‌به‌گام" in run_page and "stepwise" not in run_page  # the model selection
    for key in ("n_boot", "pthresh", "intercept_se", "residual_df", "rank_deficiency"):
        assert key not in run_page

    english = client.get("/estimates/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Log-linear models" in english and "bootstrap interval (strata summed)" in english


def test_review_queue_in_persian_labels_fields_and_isolates_values(
    personas: Personas, tmp_path: Path
) -> None:
    seed_pending_pairs(personas.analyst, 3, tmp_path, level=Level.INTERNAL)
    client = Client()
    client.force_login(personas.analyst)
    text = _visible(client, "/review/")
    _absent(text, ENGLISH_TERMS)
    assert "نام پدر:" in text and "تاریخ مرگ یا اعدام" in text
    page = client.get("/review/", HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    # each key field its own labelled item, the value isolated from the text around it
    assert re.search(
        r'<dt class="muted">نام پدر:</dt> <dd><bdi dir="auto" class="original">[^<]+</bdi></dd>',
        page,
    )


def test_every_assumption_the_methods_state_has_a_label() -> None:
    from inquest.estimate.dga.model import ASSUMPTIONS as DGA
    from inquest.estimate.dga.model import GRAPH_PRIOR_ASSUMPTION
    from inquest.estimate.lcmcr.model import ASSUMPTIONS as LCMCR
    from inquest.estimate.loglinear.model import ASSUMPTIONS as LOGLINEAR
    from inquest.estimate.registry import estimators

    stated = {*LOGLINEAR, *DGA, *GRAPH_PRIOR_ASSUMPTION.values(), *LCMCR}
    assert stated == set(terms.ASSUMPTIONS)
    assert set(estimators()) <= set(terms.METHODS)
    assert "<bdi" in terms.assumption_label("an assumption of a new method")


def test_record_page_in_persian_labels_its_fields(client: Client, personas: Personas) -> None:
    from ..factories import make_records, make_source

    source = make_source(personas.investigator, "PUB", level=Level.PUBLIC)
    record = make_records(personas.investigator, source, 1)[0]
    assert {"given_name", "father_name", "death_date"} <= set(record.current.raw)
    text = _visible(client, f"/records/{record.uid}/")
    _absent(text, ("given_name", "father_name", "death_date"))
    assert "نام پدر" in text and "تاریخ مرگ یا اعدام" in text
