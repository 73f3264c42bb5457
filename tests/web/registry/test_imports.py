"""Importing a list file: all or nothing, idempotent by file hash, raw values kept."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from inquest.errors import InputError, InputErrors
from inquest.web.access.levels import Level
from inquest.web.audit.models import AuditEntry
from inquest.web.audit.verify import verify_all
from inquest.web.registry.imports import import_list
from inquest.web.registry.models import Record, Source
from inquest.web.registry.services import HIDDEN_CLASH, create_person

from ..personas import Personas

# Synthetic people only.
GOOD = (
    "record_id,full_name,father_name,death_date\n"
    "a1,علی نمونه,حسن,مرداد ۱۳۶۷\n"
    "a2,  Maryam Azmayeshi ,Reza,\n"
    "a3,رضا آزمون,,1988-08-01\n"
)
BAD = "record_id,full_name,shoe_size\na1,x,9\na1,y,10\n"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_creates_source_and_records(personas: Personas, tmp_path: Path) -> None:
    path = _write(tmp_path, "list_a.csv", GOOD)
    result = import_list(
        personas.researcher, path, origin="synthetic fixture", level=Level.INTERNAL
    )
    assert result.created and result.n_records == 3
    source = result.source
    assert (source.code, source.name, source.file_name) == ("list_a", "list_a", "list_a.csv")
    assert source.file_bytes == path.stat().st_size
    second = Record.objects.get(source=source, row_number=2)
    assert second.external_id == "a2"
    assert second.current.raw == {
        "record_id": "a2",
        "full_name": "Maryam Azmayeshi",
        "father_name": "Reza",
    }
    first = Record.objects.get(source=source, row_number=1)
    assert first.current.raw["death_date"] == "مرداد ۱۳۶۷"
    assert verify_all(anchor=None).intact


def test_import_is_idempotent_by_file_hash(personas: Personas, tmp_path: Path) -> None:
    path = _write(tmp_path, "list_a.csv", GOOD)
    first = import_list(personas.researcher, path, origin="x", level=Level.INTERNAL)
    copy = _write(tmp_path, "renamed.csv", GOOD)
    again = import_list(personas.researcher, copy, origin="x", level=Level.INTERNAL, code="other")
    assert not again.created
    assert again.source == first.source and again.n_records == 3
    assert Source.objects.count() == 1 and Record.objects.count() == 3


def test_bad_file_writes_nothing_and_names_every_problem(
    personas: Personas, tmp_path: Path
) -> None:
    path = _write(tmp_path, "bad.csv", BAD)
    with pytest.raises(InputErrors) as caught:
        import_list(personas.researcher, path, origin="x", level=Level.INTERNAL)
    fields = {p.field for p in caught.value}
    assert {"shoe_size", "record_id"} <= fields
    assert not Source.objects.exists()


def test_import_checks_right_code_and_origin(personas: Personas, tmp_path: Path) -> None:
    path = _write(tmp_path, "list_a.csv", GOOD)
    with pytest.raises(PermissionDenied):
        import_list(personas.researcher, path, origin="x", level=Level.CONFIDENTIAL)
    with pytest.raises(InputError, match="not a usable source code"):
        import_list(personas.researcher, path, origin="x", level=Level.INTERNAL, code="a b")
    with pytest.raises(InputError, match="where the list comes from"):
        import_list(personas.researcher, path, origin=" ", level=Level.INTERNAL)
    assert not Source.objects.exists()


def test_a_clash_with_a_hidden_source_does_not_reveal_it(
    personas: Personas, tmp_path: Path
) -> None:
    """The same file, or a taken code, of a source the user may not see: one answer for
    both, naming neither the source nor the clash; the probe is in the audit log."""
    path = _write(tmp_path, "secret.csv", GOOD)
    import_list(personas.investigator, path, origin="x", level=Level.PROTECTED, code="SECRET")
    other = _write(tmp_path, "other.csv", GOOD.replace("a3", "a4"))
    answers = []
    for given, code in ((path, None), (other, "SECRET")):
        with pytest.raises(InputError) as caught:
            import_list(personas.analyst, given, origin="x", level=Level.INTERNAL, code=code)
        answers.append(caught.value)
    entries = list(AuditEntry.objects.filter(action="source.clash_hidden").order_by("id"))
    assert [e.detail["field"] for e in entries] == ["file_sha256", "code"]
    for answer, entry in zip(answers, entries, strict=True):
        assert answer.field is None
        assert answer.reason == HIDDEN_CLASH.format(reference=entry.detail["reference"])
        assert entry.actor_label == personas.analyst.username
        assert entry.confidentiality == Level.PROTECTED
    assert Source.objects.count() == 1
    # A clash the user may see is named, as before.
    import_list(personas.analyst, other, origin="x", level=Level.INTERNAL, code="OPEN")
    with pytest.raises(InputError, match="code 'OPEN' exists already"):
        import_list(
            personas.analyst,
            _write(tmp_path, "third.csv", GOOD.replace("a3", "a5")),
            origin="x",
            level=Level.INTERNAL,
            code="OPEN",
        )


def test_a_header_only_file_makes_no_empty_source(personas: Personas, tmp_path: Path) -> None:
    path = _write(tmp_path, "synthetic_empty.csv", "record_id,full_name\n")
    with pytest.raises(InputError, match="a header but no rows"):
        import_list(personas.researcher, path, origin="x", level=Level.INTERNAL)
    assert not Source.objects.exists()


def test_a_new_edition_matches_records_by_id(personas: Personas, tmp_path: Path) -> None:
    first = import_list(
        personas.researcher, _write(tmp_path, "list_a.csv", GOOD), origin="x", level=Level.INTERNAL
    )
    grown = GOOD.replace("a3,رضا آزمون,,1988-08-01", "a3,رضا آزمون,حسین,1988-08-01") + (
        "a4,Sara Example,,1988\n"
    )
    path = _write(tmp_path, "list_a_2.csv", grown)
    result = import_list(
        personas.researcher, path, origin="x", level=Level.INTERNAL, edition_of=first.source
    )
    assert result.edition is not None and not result.created
    assert (result.edition.added, result.edition.changed, result.edition.unchanged) == (1, 1, 2)
    records = {r.external_id: r for r in Record.objects.filter(source=first.source)}
    assert records["a3"].current.raw["father_name"] == "حسین"
    assert records["a3"].current.number == 2 and records["a1"].current.number == 1
    assert records["a4"].row_number == 4 and "list_a_2.csv" in records["a3"].current.reason
    again = import_list(
        personas.researcher, path, origin="x", level=Level.INTERNAL, edition_of=first.source
    )
    assert again.edition is None and not again.created  # the same edition file: nothing
    edition = first.source.editions.get()
    assert (edition.number, edition.file_name, edition.missing) == (2, "list_a_2.csv", 0)
    with pytest.raises(PermissionDenied):  # a reader may neither import nor correct
        import_list(
            personas.reader, path, origin="x", level=Level.INTERNAL, edition_of=first.source
        )
    assert verify_all(anchor=None).intact


def test_a_new_edition_refreshes_the_names_and_dates_of_persons(
    personas: Personas, tmp_path: Path
) -> None:
    user = personas.investigator
    first = import_list(
        user, _write(tmp_path, "list_p.csv", GOOD), origin="x", level=Level.INTERNAL
    )
    record = Record.objects.get(source=first.source, external_id="a3")
    person = create_person(user, records=[record])
    assert person.name_fa == "رضا آزمون" and person.death_earliest == dt.date(1988, 8, 1)
    corrected = GOOD.replace("a3,رضا آزمون,,1988-08-01", "a3,رضا آزمایش,,1988-08-20")
    import_list(
        user,
        _write(tmp_path, "list_p_2.csv", corrected),
        origin="x",
        level=Level.INTERNAL,
        edition_of=first.source,
    )
    person.refresh_from_db()
    assert person.name_fa == "رضا آزمایش"
    assert person.death_earliest == person.death_latest == dt.date(1988, 8, 20)
