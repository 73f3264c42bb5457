"""Sign-in (audited), TOTP enrolment with a server-drawn QR code, TOTP verification, and the
user's API keys."""

from __future__ import annotations

from base64 import b32encode
from urllib.parse import urlencode

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token

from inquest.errors import ConfigError, InputError
from inquest.web.access.levels import Level
from inquest.web.access.policy import granted_roles
from inquest.web.accounts import devices, queries, services
from inquest.web.accounts.forms import ApiKeyForm, TokenForm
from inquest.web.accounts.models import SealedTOTPDevice
from inquest.web.accounts.policy import requires_two_factor
from inquest.web.accounts.qr import qr_svg
from inquest.web.accounts.signin_failures import refused
from inquest.web.audit import services as audit
from inquest.web.witnesses.crypto import SealError

DEVICE_NAME = "authenticator"
WRONG_TOKEN = _("That code is not right (or too many tries: wait a little and try again).")


class LoginView(auth_views.LoginView):
    """Django's sign-in (which rotates the session key), with an audit entry on success.

    Past the budget of failed sign-ins (``inquest.web.accounts.signin_failures``) a post is
    answered 429 before any password is checked.
    """

    template_name = "inquest/login.html"

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        """Refuse while the budget of failures is spent; else sign in as Django does."""
        until = refused(request)
        if until is not None:
            wait = max(1, int((until - timezone.now()).total_seconds()))
            response = render(
                request, "inquest/accounts/slow_down.html", {"until": until}, status=429
            )
            response["Retry-After"] = str(wait)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        """Sign in, then record who signed in and whether a second factor is owed."""
        response = super().form_valid(form)
        user = form.get_user()
        with transaction.atomic():
            audit.record(
                user,
                "account.login",
                user,
                level=Level.INTERNAL,
                detail={"two_factor_required": requires_two_factor(user)},
            )
        return response


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return "/"
    return target


def _go(view_name: str, request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(f"{reverse(view_name)}?{urlencode({'next': _next(request)})}")


def _verified(request: HttpRequest, device: SealedTOTPDevice, action: str) -> HttpResponse:
    """Mark the session verified by ``device``, give it a new key, audit, and go on."""
    otp_login(request, device)
    request.session.cycle_key()
    with transaction.atomic():
        audit.record(request.user, action, request.user, level=Level.INTERNAL)  # type: ignore[arg-type]
    return HttpResponseRedirect(_next(request))


def _no_field_key(request: HttpRequest) -> HttpResponse:
    """503: authenticator secrets are sealed and the server lacks the field key that opens them."""
    return render(request, "inquest/accounts/no_field_key.html", status=503)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """Show a new TOTP secret (QR code and text) and confirm it with a first token.

    A user who already has a confirmed device is sent to verification: the secret is shown
    once, before it is confirmed, never again.
    """
    user = request.user
    if SealedTOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists():
        return _go("accounts:verify", request)
    try:
        device = SealedTOTPDevice.objects.filter(user_id=user.pk, confirmed=False).first()
        if device is None:
            device = devices.new_device(user, name=DEVICE_NAME, confirmed=False)
        form = TokenForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if device.verify_token(form.cleaned_data["token"]):
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                return _verified(request, device, "account.two_factor_enrolled")
            form.add_error("token", WRONG_TOKEN)
        secret = b32encode(device.bin_key).decode("ascii")
        url = device.config_url
    except (ConfigError, SealError):
        return _no_field_key(request)
    context = {
        "form": form,
        "next": _next(request),
        # The SVG is drawn by the qrcode library from the otpauth URI: the URI is encoded as
        # black squares, never as markup, so nothing the user typed reaches the page as HTML.
        "qr": mark_safe(qr_svg(url)),  # noqa: S308  # nosec B308 B703
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    }
    return render(request, "inquest/accounts/enrol.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Ask for a token from the user's confirmed device; failures are throttled and audited."""
    user = request.user
    if not SealedTOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists():
        return _go("accounts:enrol", request)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = match_token(user, form.cleaned_data["token"])
        except (ConfigError, SealError):
            return _no_field_key(request)
        if isinstance(device, SealedTOTPDevice):
            return _verified(request, device, "account.two_factor_verified")
        with transaction.atomic():
            audit.record(user, "account.two_factor_failed", user, level=Level.INTERNAL)  # type: ignore[arg-type]
        form.add_error("token", WRONG_TOKEN)
    return render(request, "inquest/accounts/verify.html", {"form": form, "next": _next(request)})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def api_keys(request: HttpRequest) -> HttpResponse:
    """The user's API keys: make one (its secret shown once), revoke one."""
    roles = sorted(granted_roles(request.user))
    form = ApiKeyForm(roles=roles)
    issued = None
    if request.method == "POST" and "revoke" in request.POST:
        try:
            services.revoke(request.user, str(request.POST["revoke"]))
        except InputError:
            return HttpResponse(status=404)
        return HttpResponseRedirect(reverse("accounts:api-keys"))
    if request.method == "POST":
        form = ApiKeyForm(request.POST, roles=roles)
        if form.is_valid():
            try:
                issued = services.issue(
                    request.user,
                    form.cleaned_data["name"],
                    roles=list(form.cleaned_data["roles"]),
                    days=form.cleaned_data["days"],
                )
            except InputError as exc:
                form.add_error(None, str(exc))
            else:
                form = ApiKeyForm(roles=roles)
    context = {"form": form, "issued": issued, "keys": list(queries.keys_of(request.user))}
    return render(request, "inquest/accounts/api_keys.html", context)
