"""The one form of the accounts app: a six-digit TOTP token."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    """A TOTP token as typed: six digits (spaces are dropped)."""

    token = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self) -> str:
        """The token without spaces; six digits or a validation error."""
        token = "".join(str(self.cleaned_data["token"]).split())
        if len(token) != 6 or not token.isascii() or not token.isdigit():
            raise forms.ValidationError(_("Enter the six digits your app shows."))
        return token
