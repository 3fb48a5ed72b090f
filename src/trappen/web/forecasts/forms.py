"""The levers form: one validation path for the page and the API (which feeds its JSON body
through this form, so a bad lever gets the same message under the same name)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from trappen.errors import InvalidInput, Problem
from trappen.web.forecasts.selectors import MONTHS_MAX, MONTHS_MIN, Levers

STEP_CHOICES = [(str(s), str(s)) for s in range(1, 7)]  # the Herning staircase's six steps


class LeversForm(forms.Form):
    months = forms.IntegerField(label=_("Months ahead"), min_value=MONTHS_MIN, max_value=MONTHS_MAX,
                                initial=60)
    caseload_per_caseworker = forms.FloatField(
        label=_("Children per caseworker"), required=False, min_value=1, max_value=100,
        help_text=_("Empty: as today"))
    closed_steps = forms.MultipleChoiceField(label=_("Closed steps"), required=False, choices=STEP_CHOICES,
                                             widget=forms.CheckboxSelectMultiple)
    cap_step = forms.TypedChoiceField(label=_("Capped step"), required=False, coerce=int, empty_value=None,
                                      choices=[("", "–"), *STEP_CHOICES])
    cap_places = forms.IntegerField(label=_("Places on the capped step"), required=False, min_value=0,
                                    max_value=100_000)
    # bounds: a lever outside them is a typing error rather than a plan
    entrant_rate_change_pct = forms.FloatField(label=_("Change in children entering (%)"), initial=0,
                                               required=False, min_value=-100, max_value=500)
    population_growth_pct_per_year = forms.FloatField(label=_("Population growth per year (%)"), initial=0,
                                                      required=False, min_value=-20, max_value=20)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        step, places = data.get("cap_step"), data.get("cap_places")
        if step is not None and places is None:
            self.add_error("cap_places", _("Give the number of places on the capped step."))
        if step is None and places is not None:
            self.add_error("cap_step", _("Choose the step the places apply to."))
        if step is not None and str(step) in (data.get("closed_steps") or []):
            self.add_error("cap_step", _("A closed step cannot also be capped."))
        if len(data.get("closed_steps") or []) == len(STEP_CHOICES):
            self.add_error("closed_steps", _("At least one step must stay open."))
        return data

    def levers(self) -> Levers:
        """The validated levers (call after :meth:`is_valid`)."""
        d = self.cleaned_data
        caps = ((int(d["cap_step"]), int(d["cap_places"])),) if d.get("cap_step") is not None else ()
        return Levers(months=int(d["months"]),
                      caseload_per_caseworker=d.get("caseload_per_caseworker"),
                      closed_steps=tuple(sorted(int(s) for s in d.get("closed_steps") or ())),
                      step_caps=caps,
                      entrant_rate_change_pct=float(d.get("entrant_rate_change_pct") or 0.0),
                      population_growth_pct_per_year=float(d.get("population_growth_pct_per_year") or 0.0))

    def problems(self) -> InvalidInput:
        """The form's errors as the core's error type (for the API's 422)."""
        return InvalidInput([Problem(field=name, value=self.data.get(name), message=" ".join(str(e) for e in errors))
                             for name, errors in self.errors.items()])
