"""Synthetic users for the web tests, one per role. No real person is named."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp

from inquest.web.access.services import grant_role
from inquest.web.accounts import devices
from inquest.web.accounts.models import SealedTOTPDevice


@dataclass(frozen=True)
class Personas:
    """One synthetic user per role: anonymous, signed in without a grant, and each role."""

    anonymous: AnonymousUser
    reader: User
    researcher: User
    analyst: User
    investigator: User
    administrator: User


def _user(name: str, role: str | None) -> User:
    user = User.objects.create_user(username=f"synthetic-{name}", password=None)
    if role is not None:
        grant_role(None, user, role)
    return user


def make_personas() -> Personas:
    """Create the synthetic users and grant their roles (from the command line's authority)."""
    return Personas(
        anonymous=AnonymousUser(),
        reader=_user("reader", None),
        researcher=_user("researcher", "researcher"),
        analyst=_user("analyst", "analyst"),
        investigator=_user("investigator", "investigator"),
        administrator=_user("administrator", "administrator"),
    )


def totp_device(user: User) -> SealedTOTPDevice:
    """The user's confirmed TOTP device, made if missing (as if they had enrolled)."""
    device = SealedTOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = devices.new_device(user, name="test authenticator", confirmed=True)
    return device


def totp_token(device: SealedTOTPDevice) -> str:
    """The six digits the device's authenticator app would show now."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def mark_verified(client: Client, user: User) -> None:
    """Mark the client's session as having passed two-factor sign-in with ``user``'s device."""
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
    session.save()
