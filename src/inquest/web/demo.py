"""Load ``inquest demo``'s synthetic world into a fresh workbench database.

``load_workbench(out, seed=N)`` runs in ``inquest demo``'s own process: it points Django at
``OUT/workbench`` (settings are read from the environment once per process, so Django must
not have been set up for another workbench), migrates, makes a demo account (analyst, with a
password and an authenticator secret), imports every simulated list, links them and
estimates from the persons it wrote, each through the workbench's own services, and returns
a :class:`DemoSummary`. Every person, list and figure is synthetic.
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inquest.errors import ConfigError
from inquest.private import private_folder

WORKBENCH = "workbench"
FIELD_KEY_FILE = "field.key"
DEMO_USER = "demo-analyst"
DEMO_ROLE = "analyst"
ORIGIN = "synthetic: inquest simulate (demo); every person is invented"


@dataclass(frozen=True)
class DemoSummary:
    """What the demo loaded and how to sign in."""

    database: str
    username: str
    password: str
    totp_secret: str
    otpauth_uri: str
    sources: dict[str, int]
    linkage_run: int
    places: int
    persons: int
    estimate_runs: list[int]


def workbench_env(out: Path) -> dict[str, str]:
    """The environment that points the workbench at the demo's own folder, database and key.

    The demo's field key (which seals the authenticator secret) is made in its folder on
    first use; an ``INQUEST_FIELD_KEY`` of the caller's is blanked so only the demo's counts.
    """
    folder = (out / WORKBENCH).resolve()
    return {
        "INQUEST_DATA_DIR": str(folder),
        "INQUEST_DATABASE_URL": f"sqlite:///{folder / 'inquest.sqlite3'}",
        "INQUEST_DEMO": "1",
        "INQUEST_FIELD_KEY": "",
        "INQUEST_FIELD_KEY_FILE": str(_field_key_file(folder)),
        "DJANGO_SETTINGS_MODULE": "inquest.web.settings",
    }


def _field_key_file(folder: Path) -> Path:
    """The demo's field key file in ``folder``, written (owner-only) if missing."""
    from inquest.web.witnesses.crypto import FieldKey

    path = folder / FIELD_KEY_FILE
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(FieldKey.generate().encoded() + "\n")
    return path


def _fresh_database(folder: Path) -> None:
    """Remove the demo database of an earlier run (only the demo's own SQLite files)."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        (folder / f"inquest.sqlite3{suffix}").unlink(missing_ok=True)


def _account() -> tuple[Any, str, str, str]:
    from django.contrib.auth import get_user_model

    from inquest.web.access.services import grant_role
    from inquest.web.accounts.devices import new_device

    password = secrets.token_urlsafe(12)
    user = get_user_model().objects.create_user(username=DEMO_USER, password=password)
    grant_role(None, user, DEMO_ROLE)
    device = new_device(user, name="demo authenticator", confirmed=True)
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return user, password, secret, str(device.config_url)


def load_demo(out: Path, *, seed: int, methods: Sequence[str] | None = None) -> DemoSummary:
    """Fill the workbench database of ``out`` from the demo's lists (Django set up already).

    ``methods`` default to every estimator installed (as ``inquest estimate --method all``).
    """
    from django.conf import settings
    from django.core.management import call_command

    from inquest.estimate.registry import resolve_methods
    from inquest.web.access.levels import Level
    from inquest.web.linking.link import link_sources
    from inquest.web.registry.gazetteer import sync_gazetteer
    from inquest.web.registry.imports import import_list
    from inquest.web.registry.queries import persons_for
    from inquest.web.runs.estimates import estimate_from_linkage

    if methods is None:
        methods, _ = resolve_methods("all")
    folder = Path(settings.DATA_DIR)
    call_command("migrate", interactive=False, verbosity=0)
    user, password, secret, uri = _account()
    # the places the lists name: the search's prison and province filters and the API's
    # places need them
    places = sync_gazetteer(user)
    sources = []
    for path in sorted((out / "world" / "lists").glob("*.csv")):
        result = import_list(
            user,
            path,
            origin=ORIGIN,
            level=Level.CONFIDENTIAL,
            description="A list simulated by `inquest simulate` for the demo.",
        )
        sources.append(result.source)
    outcome = link_sources(user, sources, out_dir=folder / "linkage")
    estimate = estimate_from_linkage(
        user, outcome.run, folder / "estimate", methods=methods, seed=seed
    )
    return DemoSummary(
        database=str(settings.DATABASES["default"]["NAME"]),
        username=DEMO_USER,
        password=password,
        totp_secret=secret,
        otpauth_uri=uri,
        sources={s.code: s.records.count() for s in sources},
        places=places.created,
        linkage_run=outcome.run.pk,
        persons=persons_for(user).count(),
        estimate_runs=[r.pk for r in estimate.runs],
    )


def load_workbench(out: Path, *, seed: int) -> DemoSummary:
    """Set Django up for the demo's workbench in ``out`` and fill it (:func:`load_demo`).

    The database of an earlier run is removed first. A process whose Django already serves
    another workbench cannot load the demo's (its settings are read once): that is a
    ``ConfigError``, never a write to the other database.
    """
    from django.apps import apps
    from django.conf import settings

    env = workbench_env(out)
    folder = Path(env["INQUEST_DATA_DIR"])
    if settings.configured or apps.ready:
        if Path(getattr(settings, "DATA_DIR", "")).resolve() != folder:
            raise ConfigError(
                "Django is already set up for another workbench in this process",
                key="INQUEST_DATA_DIR",
            )
        from django.db import connections

        connections.close_all()  # the database file is about to be replaced
    os.environ.update(env)
    _fresh_database(private_folder(folder))
    import django

    django.setup()
    return load_demo(out, seed=seed)
