"""The canary crawl: plant a unique canary in every text field of every confidential object,
then, as every role of the matrix and as an anonymous visitor, fetch every URL the URL
configuration offers (pages, API, exports); each canary may appear only in answers to users
the matrix lets see the object it was planted in.

A view that refuses GET (405) is posted to, empty, as a careless form would (and the user
signed in again, in case the action was "sign out"). Who may see what comes from the matrix
(``can``) and the objects' parents, not from the querysets under test; the querysets are
checked to give the same answer for every role. The test fails on a leak, on any server
error, on a route that never answered anything but 404 (its parameters could not be filled
with a real object) and on a confidential model with nothing seeded.

Nothing here is a hand-written list of views: models come from the app registry (every
``Confidential`` model), URLs from the resolver (path parameters filled from the seeded
objects), roles from the matrix. A new view or model is crawled as soon as it exists.
A model with no seeded object is reported, so a gap in the seeding shows.

Seeding uses the services at every level (public to protected), as the investigator. The
canaries are then written straight into the rows, with the append-only triggers dropped
inside this test's transaction (rolled back after), so that fields the services keep
read-only get canaries too. Witness identities get canaries through the service (they
are sealed), and may show only to roles with ``view_identity``.
"""

from __future__ import annotations

import io
import itertools
import re
import uuid
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser, User
from django.db import connection, models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter, UUIDConverter

from inquest.places import PlaceKind
from inquest.web.access.actions import Action
from inquest.web.access.levels import Level
from inquest.web.access.matrix import access_matrix
from inquest.web.access.models import Confidential
from inquest.web.access.policy import can
from inquest.web.access.services import grant_role
from inquest.web.registry import services as registry
from inquest.web.registry.models import ParticipantRole
from inquest.web.runs import services as runs
from inquest.web.witnesses import services as witnesses
from inquest.web.witnesses.crypto import ENV_KEY, ENV_KEY_FILE, FieldKey
from inquest.web.witnesses.models import Witness

from ..personas import Personas

CANARY = re.compile(r"CNRY\d{5}Z")
# Fields whose value the code reads as a word of a fixed vocabulary or a digest, not text a
# person wrote: a canary there would only break the page, and never be shown as such.
VOCABULARY = frozenset({"prop", "lang", "prepared_with", "code_version", "action", "object_type"})
# Fields the code reads as a locator: an artefact's path (its file carries a canary instead).
LOCATORS = frozenset({"path"})
MAX_COMBINATIONS = 400
MULTI = 16


@dataclass(frozen=True)
class Canary:
    """Where one canary was planted, and whether it is a sealed witness identity."""

    model: str
    pk: Any
    field: str
    identity: bool = False


class Garden:
    """Every canary planted, by its text."""

    def __init__(self) -> None:
        self.canaries: dict[str, Canary] = {}

    def new(self, model: str, pk: Any, field: str, *, identity: bool = False) -> str:
        text = f"CNRY{len(self.canaries):05d}Z"
        self.canaries[text] = Canary(model, pk, field, identity)
        return text


# --- seeding ---------------------------------------------------------------------------------


def _seed(user: User, tmp: Path, garden: Garden) -> None:
    """Objects of every registry, run and witness model at every level, through services."""
    for level in Level:
        n = int(level)
        source = registry.create_source(
            user,
            code=f"crawl{n}",
            name=f"Synthetic crawl list {n}",
            origin="synthetic crawl fixture",
            level=level,
            description="synthetic",
            obtained_how="synthetic",
        )
        records = registry.add_records(
            user,
            source,
            [
                registry.RowIn(
                    row_number=i + 1,
                    raw={
                        "given_name": "نمونه",
                        "family_name": f"آزمایشی{i}",
                        "father_name": "Synthetic",
                        "death_date": "1367",
                    },
                    external_id=f"c{n}-{i}",
                )
                for i in range(3)
            ],
        )
        registry.correct_record(
            user,
            records[2],
            raw={**records[2].current.raw, "given_name": "نمونه‌دیگر"},
            reason="synthetic correction",
        )
        registry.add_edition(
            user,
            source,
            [registry.RowIn(row_number=1, raw={"given_name": "نمونه"}, external_id=f"e{n}")],
            file_name=f"synthetic_edition_{n}.csv",
            file_sha256=f"{n:064x}",
            file_bytes=100,
        )
        person = registry.create_person(user, records=records[:2], level=level, label="synthetic")
        for record in records[:2]:
            registry.add_record_statements(user, person, record)
        place = registry.add_place(
            user, name=f"Synthetic prison {n}", kind=PlaceKind.PRISON, level=level
        )
        registry.add_event(
            user,
            kind="detention",
            participants=[(person, ParticipantRole.SUBJECT)],
            place=place,
            source=source,
            record=records[0],
            description="synthetic",
            date_original="1367",
            level=level,
        )
        artefact = tmp / f"model-{n}.json"
        artefact.write_text('{"synthetic": true}', encoding="utf-8")
        linkage = runs.start_linkage_run(
            user, sources=[source], parameters={"synthetic": True}, input_sha256="0" * 64
        )
        runs.finish_run(user, linkage, results={"synthetic": True}, artefacts={"model": artefact})
        runs.fail_run(user, _start_estimate(user, linkage, level), error="synthetic failure")
        _seed_estimate_file(user, linkage, level, tmp, garden)
        witness = witnesses.create_witness(
            user, pseudonym=f"crawl-witness-{n}", identity=witnesses.Identity(), level=level
        )
        identity = witnesses.Identity(
            **{
                name: garden.new(Witness._meta.label, witness.pk, name, identity=True)
                for name in witnesses.IDENTITY_FIELDS
            }
        )
        witnesses.replace_identity(user, witness, identity)
        witnesses.add_testimony(user, witness, summary="synthetic testimony", level=level)
        _seed_review(user, records, linkage, level)
        _seed_evidence(user, level, garden, person, place)


def _seed_evidence(user: User, level: Level, garden: Garden, person: Any, place: Any) -> None:
    """An item of evidence whose name, acquisition, embedded metadata (EXIF, read into the
    technical metadata) and bytes each hold a canary; the bytes are served by downloads."""
    from inquest.web.evidence import services as evidence
    from inquest.web.evidence.models import EvidenceItem

    from ..evidence.helpers import acquisition, picture

    label = EvidenceItem._meta.label
    embedded = garden.new(label, None, "technical_metadata")
    in_bytes = garden.new(label, None, "file")
    name = garden.new(label, None, "original_name")
    data = picture(int(level), fmt="JPEG", text=embedded) + in_bytes.encode()
    added = evidence.add_upload(
        user,
        io.BytesIO(data),
        f"{name}.jpg",
        acquisition(
            acquired_by=garden.new(label, None, "acquired_by"),
            description=garden.new(label, None, "description"),
        ),
        level=level,
    )
    pk = added.item.pk
    for text, canary in list(garden.canaries.items()):
        if canary.model == label and canary.pk is None:
            garden.canaries[text] = Canary(label, pk, canary.field)
    assert embedded in str(added.item.technical_metadata), "the EXIF canary was not extracted"
    pinpoint = evidence.Pinpoint(page=1, region=(0.1, 0.1, 0.5, 0.5), quote="synthetic")
    evidence.link_item(user, added.item, person, pinpoint, note="synthetic")
    evidence.link_item(user, added.item, place, evidence.Pinpoint(start_s=1.0, end_s=2.0))
    _seed_copy_and_token(user, level, garden, added.item)


def _seed_copy_and_token(user: User, level: Level, garden: Garden, item: Any) -> None:
    """A redacted copy one level lower than its original (whose page must not show the
    original to those who see only the copy), its reason's note a canary; and a timestamp
    token of the original from a local test authority (in process, no network)."""
    from inquest.evidence.redact import RedactionReason, Region
    from inquest.evidence.timestamps import TimestampAuthority
    from inquest.web.evidence import services as evidence
    from inquest.web.evidence.models import EvidenceItem

    label = EvidenceItem._meta.label
    note = garden.new(label, None, "redactions")
    copy = evidence.redact_item(
        user,
        item,
        regions=[(None, Region(0, 0, 40, 40))],
        reason=RedactionReason.WITNESS_PROTECTION,
        note=note,
        level=Level(max(int(Level.PUBLIC), int(level) - 1)),
    )
    garden.canaries[note] = Canary(label, copy.pk, "redactions")
    tsa = _crawl_tsa()
    authority = TimestampAuthority("crawl-tsa", "http://127.0.0.1:9/", tsa.chain_pem)
    run = evidence.timestamp_item(user, item, authorities=[authority], transport=tsa.transport)
    assert run.ok, run.failures


@cache
def _crawl_tsa() -> Any:
    from evidence._tsa import TestTSA

    return TestTSA.make("crawl-tsa")


def _start_estimate(user: User, linkage: Any, level: Level) -> Any:
    return runs.start_estimate_run(
        user,
        method="synthetic",
        parameters={"synthetic": True},
        input_sha256="1" * 64,
        linkage_run=linkage,
        level=level,
    )


def _seed_estimate_file(user: User, linkage: Any, level: Level, tmp: Path, garden: Garden) -> None:
    """A finished estimate run with a file whose bytes hold a canary (the file is served)."""
    run = _start_estimate(user, linkage, level)
    text = garden.new("runs.Artefact", None, "file")
    report = tmp / f"estimate-{int(level)}.json"
    report.write_text(f'{{"synthetic": "{text}"}}', encoding="utf-8")
    runs.finish_run(user, run, results={"synthetic": True}, artefacts={"estimate": report})
    artefact = apps.get_model("runs", "Artefact").objects.get(estimate_run=run)
    garden.canaries[text] = Canary("runs.Artefact", artefact.pk, "file")


def _seed_review(user: User, records: list[Any], linkage: Any, level: Level) -> None:
    """A review decision on the first and last record and a queued pair, if the linking app
    is installed."""
    if not apps.is_installed("inquest.web.linking"):
        return
    decision = apps.get_model("linking", "ReviewDecision")
    decision.objects.create(
        record_a=records[0],
        record_b=records[2],
        judgement="unsure",
        note="synthetic",
        linkage_run=linkage,
        decided_by=user,
        confidentiality=level,
    )
    queued = apps.get_model("linking", "QueuedPair")
    queued.objects.create(
        run=linkage,
        rank=0,
        record_a=records[0],
        record_b=records[1],
        probability=0.3,
        match_weight=-1.0,
        reason=queued._meta.get_field("reason").choices[0][0],
        evidence_for="synthetic",
        evidence_against="synthetic",
        confidentiality=level,
    )


# --- planting --------------------------------------------------------------------------------


def confidential_models() -> list[type[models.Model]]:
    """Every concrete model carrying a confidentiality level."""
    return [
        m
        for m in apps.get_models()
        if issubclass(m, Confidential) and not m._meta.abstract and not m._meta.proxy
    ]


def _text_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    fields = []
    for field in model._meta.concrete_fields:
        if (
            field.choices
            or field.name in VOCABULARY | LOCATORS
            or field.name.endswith(("sha256", "hash"))
        ):
            continue
        if field.name.endswith("_sealed"):
            continue  # ciphertext; the identity inside carries its own canaries
        if isinstance(field, models.JSONField) or (
            isinstance(field, models.CharField | models.TextField)
            and (field.max_length is None or field.max_length >= 10)
        ):
            fields.append(field)
    return fields


def _drop_triggers() -> None:
    """Drop every trigger (append-only guards) for this test's transaction only."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER "{name}"')
        else:
            cursor.execute(
                "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c "
                "ON c.oid = t.tgrelid WHERE NOT t.tgisinternal"
            )
            for name, table in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER "{name}" ON "{table}"')


def _plant(garden: Garden) -> Counter[str]:
    """A canary in every text field of every confidential object; counts per model."""
    _drop_triggers()
    per_model: Counter[str] = Counter()
    for model in confidential_models():
        fields = _text_fields(model)
        for obj in model._default_manager.all():
            label = model._meta.label
            values: dict[str, Any] = {}
            for field in fields:
                current = getattr(obj, field.attname)
                canary = garden.new(label, obj.pk, field.name)
                if isinstance(field, models.JSONField):
                    if isinstance(current, dict):
                        values[field.attname] = {**current, "canary": canary}
                    elif isinstance(current, list):
                        values[field.attname] = [*current, canary]
                    elif current is None:
                        values[field.attname] = {"canary": canary}
                    else:
                        continue
                else:
                    values[field.attname] = canary
            if values:
                model._default_manager.filter(pk=obj.pk).update(**values)
            per_model[label] += 1
    return per_model


# --- URLs ------------------------------------------------------------------------------------

PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>\w+)>")


@dataclass(frozen=True)
class _Group:
    """A named group of a regular-expression route, used like a path converter."""

    regex: str


GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<regex>[^()]*)\)")


def _routes(
    patterns: list[URLPattern | URLResolver],
    prefix: str = "",
    converters: dict[str, Any] | None = None,
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every route as a template with ``<name>`` parameters, and its converters.

    Regular-expression routes (DRF's router) have their named groups turned into parameters;
    routes still holding other expression syntax (optional format suffixes) are left out.
    """
    for entry in patterns:
        pattern = entry.pattern
        route = str(pattern)
        found = dict(getattr(pattern, "converters", {}))
        if route.startswith("^") or "(?P" in route:
            route = route.removeprefix("^").removesuffix("$")
            for match in GROUP.finditer(route):
                found[match["name"]] = _Group(match["regex"])
            route = GROUP.sub(lambda m: f"<{m['name']}>", route)
            if any(c in route for c in "()[]?*+\\|"):
                continue
        merged = {**(converters or {}), **found}
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + route, merged)
        else:
            yield "/" + prefix + route, merged


def _pools(garden: Garden) -> dict[str, list[str]]:
    """Values to put in path parameters, from every seeded object.

    ``slug``: slug fields' values and export formats, for plain text parameters; ``word``:
    also every choice value, for converters that accept only some words (a run's kind).
    """
    ints: set[str] = set()
    uuids: set[str] = set()
    slugs: set[str] = {"csv", "xlsx", "json"}
    words: set[str] = {"linkage", "estimate"}
    for model in confidential_models():
        if model._meta.label == "audit.AuditEntry":
            continue
        for obj in model._default_manager.all():
            ints.add(str(obj.pk))
            for field in model._meta.concrete_fields:
                value = getattr(obj, field.attname)
                if isinstance(value, uuid.UUID):
                    uuids.add(str(value))
                elif isinstance(field, models.SlugField) and isinstance(value, str):
                    slugs.add(value)
                if field.choices:
                    words.update(str(v) for v, _ in field.flatchoices)
    return {
        "int": sorted(ints, key=int),
        "uuid": sorted(uuids),
        "slug": sorted(slugs),
        "word": sorted(words | slugs),
    }


ANY_TEXT = frozenset({"[^/]+", "[-a-zA-Z0-9_]+", ".+", "[^/.]+"})


def _fill(template: str, converters: dict[str, Any], pools: dict[str, list[str]]) -> list[str]:
    """Concrete paths for a route: each parameter from the pool its converter accepts."""
    choices = []
    params = list(PARAM.finditer(template))
    for match in params:
        converter = converters.get(match["name"])
        regex = getattr(converter, "regex", "[^/]+")
        if isinstance(converter, IntConverter):
            pool = pools["int"]
        elif isinstance(converter, UUIDConverter):
            pool = pools["uuid"]
        elif isinstance(converter, _Group):  # a router's lookup: a pk, uuid or slug
            pool = pools["int"] + pools["uuid"] + pools["slug"]
        elif regex in ANY_TEXT:
            pool = pools["slug"]
        else:
            pool = pools["word"]
        values = [v for v in pool if re.fullmatch(regex, v)]
        if not values:
            return []
        # Two or more parameters: the first MULTI values of each (the lowest ids: those
        # of the objects seeded first, one of each kind per level).
        choices.append(values if len(params) == 1 else values[:MULTI])
    paths = []
    for combination in itertools.islice(itertools.product(*choices), MAX_COMBINATIONS):
        pieces = PARAM.split(template)  # text, conv, name, text, conv, name, ..., text
        path = pieces[0]
        for value, text in zip(combination, pieces[3::3], strict=True):
            path += value + text
        paths.append(path)
    return paths


def crawl_urls(garden: Garden) -> dict[str, str]:
    """Every URL of the URL configuration, filled (parameterless ones also with ``?q=``),
    each with the route template it came from."""
    pools = _pools(garden)
    urls: dict[str, str] = {}
    for template, converters in _routes(get_resolver().url_patterns):
        filled = _fill(template, converters, pools)
        if not filled:
            urls.setdefault(template, template)  # no value fits: the route is reported unfilled
        for url in filled:
            urls.setdefault(url, template)
        if filled == [template]:
            urls.setdefault(f"{template}?q=CNRY", template)
            urls.setdefault(f"{template}?format=csv", template)
    return dict(sorted(urls.items()))


# --- reading answers -------------------------------------------------------------------------


def _text_of(response: Any) -> str:
    body = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    parts = [f"{k}: {v}" for k, v in response.items()]
    if body[:2] == b"PK":  # XLSX and other zip exports: look inside
        try:
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                parts.extend(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
        except zipfile.BadZipFile:
            pass
    parts.append(body.decode("utf-8", "replace"))
    return "\n".join(parts)


def _allowed(user: Any) -> tuple[set[tuple[str, Any]], set[tuple[str, Any]]]:
    """The objects the user may see and the witnesses whose identity they may see, from the
    matrix itself (``can``), not from the querysets under test: an object is visible when
    the matrix lets the user view its level and every confidential object it hangs from."""
    memo: dict[tuple[str, Any], bool] = {}

    def visible(obj: Any) -> bool:
        key = (obj._meta.label, obj.pk)
        if key not in memo:
            memo[key] = False  # a cycle (a place's parent place) is not a way in
            # Every relation to a confidential object hides, but those a model declares
            # independent: a redacted copy's original (the copy has a level of its own).
            independent = set(getattr(obj, "ACCESS_INDEPENDENT", ()))
            parents = [
                getattr(obj, f.name)
                for f in obj._meta.concrete_fields
                if f.is_relation
                and f.related_model
                and issubclass(f.related_model, Confidential)
                and f.name not in independent
            ]
            memo[key] = can(user, Action.VIEW, obj.confidentiality) and all(
                visible(p) for p in parents if p is not None
            )
        return memo[key]

    seen = {
        (model._meta.label, obj.pk)
        for model in confidential_models()
        for obj in model._default_manager.all()
        if visible(obj)
    }
    identities = {
        (Witness._meta.label, w.pk)
        for w in Witness._default_manager.all()
        if (Witness._meta.label, w.pk) in seen
        and can(user, Action.VIEW_IDENTITY, w.confidentiality)
    }
    return seen, identities


def _visible_by_querysets(user: Any) -> set[tuple[str, Any]]:
    return {
        (model._meta.label, pk)
        for model in confidential_models()
        for pk in model._default_manager.visible_to(user).values_list("pk", flat=True)  # type: ignore[attr-defined]
    }


@dataclass(frozen=True)
class Leak:
    """A canary shown to a role that may not see it."""

    role: str
    url: str
    canary: str
    where: Canary


def _users(personas: Personas) -> dict[str, Any]:
    """Anonymous, signed in without a grant, and one user per role of the matrix."""
    users: dict[str, Any] = {"anonymous": AnonymousUser(), "no-grant": personas.reader}
    for role in access_matrix().roles:
        user, _ = User.objects.get_or_create(username=f"synthetic-crawl-{role}")
        grant_role(None, user, role)
        users[role] = user
    return users


@pytest.fixture
def field_key(monkeypatch: pytest.MonkeyPatch) -> FieldKey:
    """A witness field key in the environment, as a deployment has."""
    key = FieldKey.generate()
    monkeypatch.delenv(ENV_KEY_FILE, raising=False)
    monkeypatch.setenv(ENV_KEY, key.encoded())
    return key


@pytest.mark.slow
def test_canaries_appear_only_where_the_matrix_allows(
    personas: Personas,
    field_key: FieldKey,
    evidence_store: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    garden = Garden()
    _seed(personas.investigator, tmp_path, garden)
    planted_in = _plant(garden)
    unseeded = sorted(
        m._meta.label for m in confidential_models() if m._meta.label not in planted_in
    )
    urls = crawl_urls(garden)
    pools = _pools(garden)
    users = _users(personas)
    leaks: list[Leak] = []
    seen: dict[str, set[str]] = defaultdict(set)
    statuses: Counter[int] = Counter()
    errors: list[tuple[str, str]] = []
    reached: set[str] = set()
    for role, user in users.items():
        client = Client(raise_request_exception=False)
        if user.is_authenticated:
            client.force_login(user)
        visible, identities = _allowed(user)
        # the querysets implement the matrix: same objects, for every role
        assert _visible_by_querysets(user) == visible, role
        for url, template in urls.items():
            response = client.get(url)
            if response.status_code == 405:  # an action: post it empty, as a careless form would
                response = client.post(url, {})
                if user.is_authenticated:  # the action may have been "sign out"
                    client.force_login(user)
            statuses[response.status_code] += 1
            if response.status_code != 404:
                reached.add(template)
            if response.status_code >= 500:
                errors.append((role, url))
            for text in set(CANARY.findall(_text_of(response))):
                where = garden.canaries.get(text)
                if where is None:
                    continue  # e.g. the ?q=CNRY echoed back
                seen[role].add(text)
                key = (where.model, where.pk)
                if text in url:
                    continue  # the requester put it in the address (a slug); echoing is fine
                if key not in (identities if where.identity else visible):
                    leaks.append(Leak(role, url, text, where))
    identity_canaries = {c for c, w in garden.canaries.items() if w.identity}
    unreached = sorted(set(urls.values()) - reached)
    with capsys.disabled():
        print(
            f"\ncanary crawl: {len(urls)} URLs x {len(users)} roles = {len(urls) * len(users)} "
            f"requests; {len(garden.canaries)} canaries planted in "
            f"{sum(planted_in.values())} objects of {len(planted_in)} models; "
            f"{len(leaks)} leaks; statuses {dict(sorted(statuses.items()))}; "
            f"models not seeded: {unseeded or 'none'}; server errors: {len(errors)}; "
            f"routes {len(set(urls.values()))}, never answered but 404: {unreached or 'none'}; "
            f"path values tried: {', '.join(f'{k} {len(v)}' for k, v in pools.items())}"
        )
        for role in users:
            print(f"  {role}: saw {len(seen[role])} canaries")
        for role, url in errors[:20]:
            print(f"  500 as {role}: {url}")
    assert not leaks, "\n".join(
        f"{leak.canary} ({leak.where.model} {leak.where.pk} .{leak.where.field}) shown to "
        f"{leak.role} at {leak.url}"
        for leak in leaks[:50]
    )
    assert not errors, f"server errors: {errors[:20]}"
    # Every route was reached: each answered something other than 404 to some role.
    assert not unreached, f"routes the crawl could not fill with a real object: {unreached}"
    assert not unseeded, f"confidential models with nothing seeded: {unseeded}"
    # The crawl can see: cleared roles do meet canaries, identities included.
    assert seen["investigator"] & identity_canaries
    assert seen["analyst"] and not seen["analyst"] & identity_canaries
    assert len(seen["investigator"]) > len(seen["analyst"]) > len(seen["researcher"])
    # Originals are served to roles that may export them (analyst and investigator), not
    # to one that only sees the item (researcher); extracted metadata shows with the item.
    evidence = {
        c: w.field for c, w in garden.canaries.items() if w.model == "evidence.EvidenceItem"
    }
    in_files = {c for c, field in evidence.items() if field == "file"}
    assert seen["analyst"] & in_files and not seen["researcher"] & in_files
    assert seen["researcher"] & {c for c, f in evidence.items() if f == "technical_metadata"}
