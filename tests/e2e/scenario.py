"""Migrate a fresh workbench database and seed a small synthetic scenario through the services.

Run as a script in a subprocess (``python tests/e2e/scenario.py``) with ``INQUEST_DATA_DIR``
and ``INQUEST_DATABASE_URL`` set: the browser tests' server then reads the same database.
It prints one JSON object naming what it made (user names, the person's uid, ...), which the
tests read instead of guessing ids. Every person, name and list here is synthetic.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Any

PASSWORD = "synthetic-e2e-password-7Q"  # a throw-away test account's password
N_ANALYSTS = 8
# The simulated world linked for the review pages: small, with enough uncertain pairs.
REVIEW_POPULATION = 60
REVIEW_SEED = 3

# Source A: a family list in Persian script; source B: an NGO list in Latin script.
ROWS_A = (
    {
        "given_name": "بهرام",
        "family_name": "آزمونی",
        "father_name": "کاظم",
        "death_date": "۱۳۶۷/۰۵/۱۲",
        "prison": "زندان نمونه",
    },
    {"given_name": "شیرین", "family_name": "فرضی‌زاده", "father_name": "جواد", "death_date": ""},
)
ROWS_B = (
    {
        "given_name": "Bahram",
        "family_name": "Azmuni",
        "father_name": "Kazem",
        "death_date": "1988-08-04",
        "prison": "Sample prison",
    },
    {
        "given_name": "Bahram",
        "family_name": "Azmooni",
        "father_name": "Ghasem",
        "death_date": "1988",
    },
)


def _totp_device(user: object) -> str:
    """Enrol ``user`` in two-factor sign-in as if they had; the device's hex key."""
    from inquest.web.accounts import devices

    device = devices.new_device(user, name="synthetic authenticator", confirmed=True)
    return devices.open_secret(device)


def seed() -> dict[str, Any]:
    """Users, two sources, records, one linked person with statements and an event."""
    from django.contrib.auth.models import User

    from inquest.places import PlaceKind
    from inquest.web.access.levels import Level
    from inquest.web.access.services import grant_role
    from inquest.web.registry import services
    from inquest.web.registry.models import ParticipantRole

    # Several analysts: a TOTP code is good for one sign-in only, and tests sign in often.
    analysts = []
    totp_keys = {}
    for n in range(1, N_ANALYSTS + 1):
        user = User.objects.create_user(username=f"synthetic-analyst-{n:02d}", password=PASSWORD)
        grant_role(None, user, "analyst")
        analysts.append(user)
        totp_keys[user.username] = _totp_device(user)
    analyst = analysts[0]
    reader = User.objects.create_user(username="synthetic-reader", password=PASSWORD)

    sources = {}
    records = {}
    for code, rows, name in (("A", ROWS_A, "Family list"), ("B", ROWS_B, "NGO list")):
        source = services.create_source(
            analyst,
            code=code,
            name=f"Synthetic {name} {code}",
            origin="synthetic end-to-end fixture",
            description="A list made up for the browser tests.",
            level=Level.CONFIDENTIAL,
        )
        sources[code] = source
        records[code] = services.add_records(
            analyst,
            source,
            [services.RowIn(row_number=i + 1, raw=row) for i, row in enumerate(rows)],
        )

    linked = [records["A"][0], records["B"][0], records["B"][1]]
    person = services.create_person(
        analyst, records=linked, label="بهرام آزمونی", match_probability=0.97
    )
    for record in linked:
        services.add_record_statements(analyst, person, record)
    place = services.add_place(
        analyst,
        name="Sample prison",
        name_original="زندان نمونه",
        kind=PlaceKind.PRISON,
        level=Level.PUBLIC,
    )
    services.add_event(
        analyst,
        kind="execution",
        participants=[(person, ParticipantRole.SUBJECT)],
        date_earliest=dt.date(1988, 8, 3),
        date_latest=dt.date(1988, 8, 3),
        date_original="۱۳۶۷/۰۵/۱۲",
        place=place,
        source=sources["A"],
        record=records["A"][0],
    )
    other = services.create_person(analyst, records=[records["A"][1]], label="شیرین فرضی‌زاده")
    services.add_record_statements(analyst, other, records["A"][1])
    return {
        "password": PASSWORD,
        "analysts": [user.username for user in analysts],
        "totp_keys": totp_keys,
        "reader": reader.username,
        "person_uid": str(person.uid),
        "person_names": {"en": person.name_en, "fa": person.name_fa},
        "other_uid": str(other.uid),
        "sources": sorted(sources),
    }


def seed_review(folder: Path, username: str) -> list[list[str]]:
    """Simulate a small world, import its lists, link them with the engine: the review
    queue's pairs (the records' public ids, lower record first) as the analyst ``username``
    sees them."""
    from django.contrib.auth.models import User

    from inquest.simulate import load_scenario, simulate, write_world
    from inquest.web.access.levels import Level
    from inquest.web.linking import queue
    from inquest.web.linking.link import link_sources
    from inquest.web.registry.imports import import_list

    analyst = User.objects.get(username=username)
    scenario = folder / "review-world.yaml"
    scenario.write_text(
        f"base: small\nname: review-world\npopulation: {REVIEW_POPULATION}\n", encoding="utf-8"
    )
    files = write_world(simulate(load_scenario(scenario), REVIEW_SEED), folder / "review-world")
    sources = [
        import_list(analyst, path, origin="synthetic world", level=Level.CONFIDENTIAL).source
        for path in sorted(p for p in files if p.parent.name == "lists")
    ]
    run = link_sources(analyst, sources).run
    return [[str(p.record_a.uid), str(p.record_b.uid)] for p in queue.all_pairs(analyst, run)]


def main() -> None:
    """Migrate, seed, print what was made as JSON on stdout (``--review``: link a simulated
    world too, for the review pages)."""
    for name in ("INQUEST_DATA_DIR", "INQUEST_DATABASE_URL"):
        if name not in os.environ:
            sys.exit(f"scenario.py: set {name}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inquest.web.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    facts = seed()
    if "--review" in sys.argv[1:]:
        folder = Path(os.environ["INQUEST_DATA_DIR"]) / "scenario"
        folder.mkdir(exist_ok=True)
        facts["review_pairs"] = seed_review(folder, facts["analysts"][-1])
    print(json.dumps(facts, ensure_ascii=False))


if __name__ == "__main__":
    main()
