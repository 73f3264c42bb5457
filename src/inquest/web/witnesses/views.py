"""Witness pages: pseudonyms for everyone cleared to see the witness; the identity page
decrypts through the service (matrix check and audit entry) for cleared roles only."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET

from inquest.errors import ConfigError
from inquest.web.audit.reads import get_visible, noted
from inquest.web.witnesses import queries, services


@require_GET
def witness_list(request: HttpRequest) -> HttpResponse:
    """The witnesses the user may see, by pseudonym."""
    witnesses = noted(request.user, queries.witnesses_for(request.user).order_by("pseudonym"))
    return render(request, "inquest/witnesses/witness_list.html", {"witnesses": witnesses})


@require_GET
def witness_detail(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    """One witness by pseudonym, with the testimonies the user may see."""
    witness = get_visible(request.user, queries.witnesses_for(request.user), uid=uid)
    context = {
        "witness": witness,
        "testimonies": noted(request.user, queries.testimonies_of(request.user, witness)),
        "may_reveal": queries.may_reveal(request.user, witness),
    }
    return render(request, "inquest/witnesses/witness_detail.html", context)


@sensitive_variables("identity")
@never_cache
@require_GET
def witness_identity(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    """Who the witness is, decrypted for a cleared user; each view, and each refusal, is an
    audit entry (written by the service)."""
    witness = get_object_or_404(queries.witnesses_for(request.user), uid=uid)
    try:
        identity = services.reveal(request.user, witness)
    except ConfigError:
        # The server has no field key: say so (503), rather than fail as an error would.
        return render(
            request, "inquest/witnesses/no_field_key.html", {"witness": witness}, status=503
        )
    return render(
        request,
        "inquest/witnesses/witness_identity.html",
        {"witness": witness, "identity": identity},
    )
