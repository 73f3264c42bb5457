"""API keys: a notebook reads the API with a key, limited to some roles, revocable, audited;
an anonymous call is a 401; the root lists the endpoints, the docs load from the package, and
``?search=`` finds names in either script."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from inquest.errors import InputError
from inquest.web.access.services import grant_role
from inquest.web.accounts import services as keys
from inquest.web.accounts.models import ApiToken
from inquest.web.audit.models import AuditEntry

from ..personas import Personas
from .conftest import CANARY, ENDPOINTS


def _bearer(client: Client, url: str, key: str) -> Any:
    return client.get(url, HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.mark.parametrize("url", ["/api/", *(f"/api/{e}/" for e in ENDPOINTS), "/api/schema/"])
def test_anonymous_calls_are_401_with_a_key_challenge(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_key_reads_as_its_owner_and_only_its_hash_is_kept(
    client: Client, personas: Personas, world: dict[str, Any]
) -> None:
    issued = keys.issue(personas.investigator, "notebook", roles=[], days=30)
    assert issued.secret.startswith(f"inq_{issued.token.prefix}_")
    stored = ApiToken.objects.values_list().get(pk=issued.token.pk)
    assert not any(issued.secret.split("_", 2)[2] in str(v) for v in stored)
    page = _bearer(client, "/api/sources/", issued.secret)
    assert page.status_code == 200 and CANARY in page.content.decode()
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at is not None


def test_a_key_limited_to_some_roles_sees_only_what_they_allow(
    client: Client, personas: Personas, world: dict[str, Any]
) -> None:
    owner = personas.investigator
    grant_role(None, owner, "researcher")
    narrow = keys.issue(owner, "public figures only", roles=["researcher"], days=30)
    full = keys.issue(owner, "everything", roles=[], days=30)
    for endpoint in ENDPOINTS:
        assert CANARY not in _bearer(client, f"/api/{endpoint}/", narrow.secret).content.decode()
    assert CANARY in _bearer(client, "/api/sources/", full.secret).content.decode()
    with pytest.raises(InputError, match="do not hold"):
        keys.issue(owner, "more than I have", roles=["administrator"], days=30)


def test_revoked_expired_wrong_and_orphaned_keys_are_refused(
    client: Client, personas: Personas
) -> None:
    owner = personas.researcher
    live = keys.issue(owner, "a", roles=[], days=30)
    assert _bearer(client, "/api/sources/", live.secret).status_code == 200
    forged = live.secret[:-4] + ("AAAA" if not live.secret.endswith("AAAA") else "BBBB")
    assert _bearer(client, "/api/sources/", forged).status_code == 401
    assert _bearer(client, "/api/sources/", "not-a-key").status_code == 401
    keys.revoke(owner, live.token.prefix)
    assert _bearer(client, "/api/sources/", live.secret).status_code == 401
    old = keys.issue(owner, "b", roles=[], days=1)
    ApiToken.objects.filter(pk=old.token.pk).update(expires_at=timezone.now() - dt.timedelta(1))
    assert _bearer(client, "/api/sources/", old.secret).status_code == 401
    other = keys.issue(owner, "c", roles=[], days=1)
    owner.is_active = False
    owner.save()
    assert _bearer(client, "/api/sources/", other.secret).status_code == 401


def test_keys_are_made_and_revoked_in_the_audit_log_and_reads_name_the_owner(
    client: Client, personas: Personas, world: dict[str, Any]
) -> None:
    owner = personas.investigator
    issued = keys.issue(owner, "audited", roles=[], days=30)
    made = AuditEntry.objects.filter(action="api_key.issue").latest("id")
    assert made.actor_label == owner.username and made.detail["prefix"] == issued.token.prefix
    assert issued.secret not in str(made.detail)
    _bearer(client, f"/api/persons/{world['person'].uid}/", issued.secret)
    seen = AuditEntry.objects.filter(action="view").latest("id")
    assert seen.actor_label == owner.username  # not "anonymous": the key signed in inside
    keys.revoke(owner, issued.token.prefix)
    assert AuditEntry.objects.filter(action="api_key.revoke").latest("id").actor_id == owner.pk
    with pytest.raises(InputError):
        keys.revoke(personas.researcher, issued.token.prefix)  # not theirs


def test_the_root_lists_the_endpoints_and_the_docs_load_from_the_package(
    client: Client, personas: Personas
) -> None:
    client.force_login(personas.researcher)
    root = client.get("/api/")
    assert root.status_code == 200
    assert {f"{e}" for e in ENDPOINTS} <= set(root.json())
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(not s.startswith(("http:", "https:", "//")) for s in sources)
    assert any("swagger-ui" in s for s in sources)
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and b"/api/schema/" in script.content


def test_search_finds_persons_and_records_by_a_name_in_either_script(
    client: Client, personas: Personas, world: dict[str, Any]
) -> None:
    client.force_login(personas.researcher)
    persons = client.get("/api/persons/?search=Ali").json()["results"]
    assert [p["uid"] for p in persons] == [str(world["person"].uid)]
    # the names and date the workbench shows, from the records the person's level allows
    assert persons[0]["name_fa"] == "علی نمونه" and persons[0]["death_earliest"] == "1988-08-01"
    assert client.get("/api/persons/?search=Maryam").json()["count"] == 0
    records = client.get("/api/records/?search=علی").json()["results"]
    assert [r["source"] for r in records] == ["PUB"]
    client.force_login(personas.investigator)
    assert client.get(f"/api/sources/?search={CANARY}").json()["count"] == 1
    assert client.get("/api/places/?search=synthetic").json()["count"] == 1


def test_the_keys_page_shows_a_new_key_once_and_revokes(client: Client, personas: Personas) -> None:
    client.force_login(personas.researcher)
    page = client.get("/accounts/api-keys/")
    assert page.status_code == 200
    made = client.post("/accounts/api-keys/", {"name": "my notebook", "days": "7"})
    text = made.content.decode()
    (secret,) = re.findall(r"inq_[0-9a-f]+_[A-Za-z0-9_-]+", text)
    assert _bearer(client, "/api/sources/", secret).status_code == 200
    again = client.get("/accounts/api-keys/").content.decode()
    assert secret not in again and "my notebook" in again
    prefix = secret.split("_", 2)[1]
    client.post("/accounts/api-keys/", {"revoke": prefix})
    assert _bearer(Client(), "/api/sources/", secret).status_code == 401
