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


class ApiKeyForm(forms.Form):
    """A new API key: a name, the roles it may use (none ticked: all of yours), a life."""

    name = forms.CharField(label=_("Name (what the key is for)"), max_length=100)
    roles = forms.MultipleChoiceField(
        label=_("Roles the key may use (none ticked: all of yours)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    days = forms.IntegerField(label=_("Days until it expires"), min_value=1, max_value=366)

    def __init__(self, *args: object, roles: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["roles"].choices = [(r, r) for r in roles]  # type: ignore[attr-defined]
        self.fields["days"].initial = 90
