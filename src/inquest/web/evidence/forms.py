"""The form of an evidence upload: the file and how the commission came to hold it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from inquest.web.access.levels import Level
from inquest.web.evidence.models import CONSENT_CHOICES, METHOD_CHOICES


class UploadForm(forms.Form):
    """One file with its acquisition; restrictions one a line."""

    file = forms.FileField(label=_("File"))
    acquired_by = forms.CharField(label=_("Acquired by"), max_length=2000)
    acquired_at = forms.DateTimeField(
        label=_("Acquired at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    method = forms.ChoiceField(label=_("How it was acquired"), choices=METHOD_CHOICES)
    consent = forms.ChoiceField(label=_("Consent of the source"), choices=CONSENT_CHOICES)
    restrictions = forms.CharField(
        label=_("Restrictions (one a line)"), required=False, widget=forms.Textarea
    )
    source = forms.CharField(label=_("Handed over by"), max_length=2000, required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    level = forms.TypedChoiceField(
        label=_("Level"), choices=Level.choices, coerce=int, initial=int(Level.CONFIDENTIAL)
    )

    def restriction_list(self) -> tuple[str, ...]:
        """The restrictions given, blank lines dropped."""
        text: str = self.cleaned_data.get("restrictions", "")
        return tuple(line.strip() for line in text.splitlines() if line.strip())
