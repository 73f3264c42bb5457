"""A list format registered from outside inquest (JSON lines, as docs/contributing.md shows)
is read by the engine and imported through the workbench's steps, with no other change."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from inquest.errors import InputErrors, InputProblem
from inquest.io import formats, read_list, sample_list
from inquest.io.formats import ListBatch, ReadContext, batches_from_rows
from inquest.web.access.levels import Level
from inquest.web.registry.models import Record

from ..personas import Personas
from .test_import_pages import _columns_form


class _OpenJsonLines:
    def __init__(self, ctx: ReadContext, handle: IO[str], headers: list[str]) -> None:
        self.ctx = ctx
        self.handle = handle
        self.headers = headers

    def _rows(self) -> Iterator[Sequence[str | None]]:
        for n, line in enumerate(self.handle, start=1):
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                self.ctx.stop(InputProblem(f"not JSON: {exc}", path=self.ctx.path, row=n))
                return
            yield [None if obj.get(h) is None else str(obj[h]) for h in self.headers]

    def batches(self, wanted: Mapping[int, int]) -> Iterator[ListBatch]:
        return batches_from_rows(self.ctx, self.headers, wanted, self._rows())

    def close(self) -> None:
        self.handle.close()


@dataclass(frozen=True)
class JsonLines:
    """One JSON object per line; the first line's keys are the headers."""

    name: str = "jsonl"
    description: str = "JSON lines"
    suffixes: tuple[str, ...] = (".jsonl",)

    def check(self, file: Path, head: bytes) -> str | None:
        return None if head.lstrip().startswith(b"{") else "not JSON lines"

    def open(self, file: Path, ctx: ReadContext) -> _OpenJsonLines | None:
        handle = file.open(encoding="utf-8")
        first = handle.readline()
        try:
            headers = list(json.loads(first))
        except (json.JSONDecodeError, TypeError):
            handle.close()
            ctx.stop(InputProblem("no header object", path=ctx.path, row=0))
            return None
        handle.seek(0)
        return _OpenJsonLines(ctx, handle, headers)


# Synthetic people only.
LINES = [
    {"ID": "j1", "Name of victim": "علی نمونه", "Father": "حسن", "Executed on": "۱۳۶۷/۰۵/۱۰"},
    {"ID": "j2", "Name of victim": "Maryam Sample", "Father": "Reza", "Executed on": "1988-08-01"},
]


@pytest.fixture
def jsonl() -> Iterator[JsonLines]:
    fmt = JsonLines()
    formats.register(fmt)
    yield fmt
    formats.unregister(fmt.name)


def _content(lines: list[dict[str, str]]) -> bytes:
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode()


def test_the_engine_reads_a_registered_format(jsonl: JsonLines, tmp_path: Path) -> None:
    path = tmp_path / "synthetic.jsonl"
    path.write_bytes(_content(LINES))
    assert formats.format_for(path) is jsonl and ".jsonl" in formats.suffixes()
    table = read_list(path)  # the headers are all known aliases
    assert table.column("full_name").to_pylist() == ["علی نمونه", "Maryam Sample"]
    assert table.column("death_date").to_pylist() == ["۱۳۶۷/۰۵/۱۰", "1988-08-01"]
    assert sample_list(path).headers == ("ID", "Name of victim", "Father", "Executed on")
    path.write_bytes(_content(LINES) + b"{broken\n")
    with pytest.raises(InputErrors) as caught:
        read_list(path)
    assert [(p.path, p.row) for p in caught.value] == [(str(path), 3)]


def test_without_registration_the_suffix_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "synthetic.jsonl"
    path.write_bytes(_content(LINES))
    with pytest.raises(InputErrors, match=r"unsupported format '\.jsonl'"):
        read_list(path)


def test_the_workbench_imports_a_registered_format(
    jsonl: JsonLines, client: Client, personas: Personas, tmp_path: Path, settings: object
) -> None:
    settings.DATA_DIR = tmp_path  # type: ignore[attr-defined]
    client.force_login(personas.researcher)
    assert ".csv, .xlsx, .parquet, .jsonl" in client.get("/import/").content.decode()
    response = client.post(
        "/import/",
        {
            "file": SimpleUploadedFile("synthetic_list.jsonl", _content(LINES)),
            "origin": "synthetic test fixture",
            "level": str(int(Level.INTERNAL)),
            "code": "JL",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    token = re.fullmatch(r"/import/([^/]+)/columns/", response["Location"])
    assert token is not None
    page = client.get(f"/import/{token[1]}/columns/").content.decode()
    chosen = _columns_form(page)
    assert chosen == {
        "col-0": "record_id",
        "col-1": "full_name",
        "col-2": "father_name",
        "col-3": "death_date",
    }
    assert client.post(f"/import/{token[1]}/columns/", {**chosen, "code": "JL"}).status_code == 302
    assert client.post(f"/import/{token[1]}/preview/").status_code == 302
    raws = [r.current.raw for r in Record.objects.filter(source__code="JL")]
    assert raws[1]["father_name"] == "Reza" and raws[0]["record_id"] == "j1"
    refused = client.post(
        "/import/",
        {
            "file": SimpleUploadedFile("disguised.jsonl", b"MZ\x90\x00"),
            "origin": "x",
            "level": str(int(Level.INTERNAL)),
        },
    )
    assert refused.status_code == 400 and "not JSON lines" in refused.content.decode()
