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


class LinkForm(forms.Form):
    """What an item supports (a person, event or place by its uid) and where in the item."""

    target = forms.ChoiceField(
        label=_("About"),
        choices=[("person", _("a person")), ("event", _("an event")), ("place", _("a place"))],
    )
    target_uid = forms.UUIDField(label=_("Its identifier (uid)"))
    page = forms.IntegerField(label=_("Page"), required=False, min_value=1)
    region_x = forms.FloatField(label=_("Region: left (0-1)"), required=False)
    region_y = forms.FloatField(label=_("Region: top (0-1)"), required=False)
    region_w = forms.FloatField(label=_("Region: width (0-1)"), required=False)
    region_h = forms.FloatField(label=_("Region: height (0-1)"), required=False)
    start_s = forms.FloatField(label=_("From (seconds)"), required=False, min_value=0)
    end_s = forms.FloatField(label=_("To (seconds)"), required=False, min_value=0)
    quote = forms.CharField(label=_("Quoted text"), required=False, widget=forms.Textarea)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea)

    def region(self) -> tuple[float, float, float, float] | None:
        """The region given, or None when no part of it was."""
        parts = [self.cleaned_data.get(f"region_{k}") for k in "xywh"]
        values = [float(p) for p in parts if p is not None]
        if not values:
            return None
        if len(values) != len(parts):
            raise forms.ValidationError(_("A region needs left, top, width and height."))
        return (values[0], values[1], values[2], values[3])
