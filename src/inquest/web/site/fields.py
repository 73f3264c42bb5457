"""Form fields for short choice lists (sources, prisons, provinces on the search page)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.forms.models import ModelChoiceIterator


class _ListedChoices(ModelChoiceIterator):
    """The choices from one plain query, kept on the queryset for the rest of the request.

    Django's iterator uses ``QuerySet.iterator()``, which on PostgreSQL opens a server-side
    cursor (four round trips) for each list each time the form is rendered.
    """

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)

    def __len__(self) -> int:
        return len(self.queryset) + (1 if self.field.empty_label is not None else 0)


class ListedModelChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A ``ModelChoiceField`` for a short list: its choices are read with one query."""

    iterator = _ListedChoices
