"""The levers form: one validation path for the page and the API (which feeds its JSON body
through this form, so a bad lever gets the same message under the same name)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from trappen.errors import InvalidInput, Problem
from trappen.forecast import RateAdjustment
from trappen.web.forecasts.selectors import MONTHS_MAX, MONTHS_MIN, Levers

STEP_CHOICES = [(str(s), str(s)) for s in range(1, 7)]  # the Herning staircase's six steps
FROM_CHOICES = [("0", _("Not on the staircase")), *STEP_CHOICES]
TO_CHOICES = [*FROM_CHOICES, ("7", _("Moved out of the municipality"))]


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
    exit_rate_change_pct = forms.FloatField(label=_("Change in children leaving the staircase (%)"), initial=0,
                                            required=False, min_value=-100, max_value=500)
    adjust_from = forms.TypedChoiceField(label=_("Adjust the move from"), required=False, coerce=int,
                                         empty_value=None, choices=[("", "–"), *FROM_CHOICES])
    adjust_to = forms.TypedChoiceField(label=_("to"), required=False, coerce=int, empty_value=None,
                                       choices=[("", "–"), *TO_CHOICES])
    adjust_multiply = forms.FloatField(label=_("Multiply its rate by"), required=False, min_value=0,
                                       max_value=10, help_text=_("1 = unchanged"))
    adjust_add_pct = forms.FloatField(label=_("Add to its rate (percentage points a month)"), required=False,
                                      min_value=-100, max_value=100)
    window_months = forms.IntegerField(label=_("Reference period (months of history)"), required=False,
                                       min_value=6, max_value=120, help_text=_("Empty: 72 months"))
    sex = forms.ChoiceField(label=_("Children"), required=False,
                            choices=[("", _("Girls and boys")), ("F", _("Girls")), ("M", _("Boys"))])
    age_from = forms.IntegerField(label=_("Aged from (years)"), required=False, min_value=0, max_value=22)
    age_to = forms.IntegerField(label=_("Aged to (years)"), required=False, min_value=0, max_value=22)
    inflation_pct_per_year = forms.FloatField(label=_("Price rise per year (%)"), initial=0, required=False,
                                              min_value=-10, max_value=20)

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
        a_from, a_to = data.get("adjust_from"), data.get("adjust_to")
        changes = data.get("adjust_multiply") is not None or data.get("adjust_add_pct") is not None
        if (a_from is None) != (a_to is None):
            self.add_error("adjust_to" if a_to is None else "adjust_from",
                           _("Choose both states of the move to adjust."))
        elif a_from is not None and a_from == a_to:
            self.add_error("adjust_to", _("Choose another state than the one the move is from."))
        elif a_from is None and changes:
            self.add_error("adjust_from", _("Choose the move the change applies to."))
        lo, hi = data.get("age_from"), data.get("age_to")
        if lo is not None and hi is not None and lo > hi:
            self.add_error("age_to", _("The upper age must not be below the lower."))
        return data

    def levers(self) -> Levers:
        """The validated levers (call after :meth:`is_valid`)."""
        d = self.cleaned_data
        caps = ((int(d["cap_step"]), int(d["cap_places"])),) if d.get("cap_step") is not None else ()
        adjustments: tuple[RateAdjustment, ...] = ()
        if d.get("adjust_from") is not None and d.get("adjust_to") is not None:
            multiply, add = d.get("adjust_multiply"), d.get("adjust_add_pct")
            adjustments = (RateAdjustment(from_state=int(d["adjust_from"]), to_state=int(d["adjust_to"]),
                                          multiply=1.0 if multiply is None else float(multiply),
                                          add=0.0 if add is None else float(add) / 100.0),)
        return Levers(months=int(d["months"]),
                      caseload_per_caseworker=d.get("caseload_per_caseworker"),
                      closed_steps=tuple(sorted(int(s) for s in d.get("closed_steps") or ())),
                      step_caps=caps,
                      entrant_rate_change_pct=float(d.get("entrant_rate_change_pct") or 0.0),
                      population_growth_pct_per_year=float(d.get("population_growth_pct_per_year") or 0.0),
                      exit_rate_change_pct=float(d.get("exit_rate_change_pct") or 0.0),
                      rate_adjustments=adjustments,
                      window_months=d.get("window_months"),
                      sex=d.get("sex") or None, age_from=d.get("age_from"), age_to=d.get("age_to"),
                      inflation_pct_per_year=float(d.get("inflation_pct_per_year") or 0.0))

    def problems(self) -> InvalidInput:
        """The form's errors as the core's error type (for the API's 422)."""
        return InvalidInput([Problem(field=name, value=self.data.get(name), message=" ".join(str(e) for e in errors))
                             for name, errors in self.errors.items()])
