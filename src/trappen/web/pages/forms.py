"""Forms: parse and shape input; the services validate it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from trappen.staircase import END_REASONS
from trappen.web import rules

REASON_STEPS = tuple(s.number for s in rules.staircase().steps[:-1])


def _intervention_choices() -> list[tuple[str, str]]:
    catalogue = rules.catalogue()
    return [(t.code, f"{t.code} — {t.name_da}") for t in catalogue.types]


class DateInput(forms.DateInput):
    input_type = "date"


class InterventionStartForm(forms.Form):
    intervention_code = forms.ChoiceField(label=_("Intervention"), choices=_intervention_choices)
    step = forms.TypedChoiceField(label=_("Step"), coerce=int,
                                  choices=[(s.number, f"{s.number}: {s.name_da}")
                                           for s in rules.staircase().steps])
    start_date = forms.DateField(label=_("Start date"), widget=DateInput)
    planned_end = forms.DateField(label=_("Planned end"), required=False, widget=DateInput)
    provider = forms.CharField(label=_("Provider"), required=False, max_length=200)
    price = forms.DecimalField(label=_("Price (DKK)"), required=False, max_digits=12, decimal_places=2)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for step in REASON_STEPS:
            self.fields[f"reason_{step}"] = forms.CharField(
                label=_("Why step %(step)s does not meet the need") % {"step": step},
                required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def justification(self) -> dict[int, str]:
        return {s: self.cleaned_data[f"reason_{s}"] for s in REASON_STEPS
                if self.cleaned_data.get(f"reason_{s}")}


class InterventionEndForm(forms.Form):
    end_date = forms.DateField(label=_("End date (first day without)"), widget=DateInput)
    end_reason = forms.ChoiceField(label=_("Reason"), choices=[(r, r) for r in END_REASONS])
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    """Optimistic lock (docs/casework.md): the episode version the form was opened at."""
