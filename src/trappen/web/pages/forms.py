"""Forms: parse and shape input; the services validate it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from trappen.web import labels, rules

REASON_STEPS = tuple(s.number for s in rules.staircase().steps[:-1])


def _intervention_choices() -> list[tuple[str, str]]:
    catalogue = rules.catalogue()
    return [(t.code, _("Step %(steps)s: %(name)s") % {"steps": "/".join(str(s) for s in t.steps),
                                                      "name": labels.label(t.code, "intervention")})
            for t in catalogue.types]


def _step_choices() -> list[tuple[int, str]]:
    return [(s.number, f"{s.number}: {labels.label(s.number, 'step')}") for s in rules.staircase().steps]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, object] | None = None, format: str = "%Y-%m-%d") -> None:  # noqa: A002
        # an <input type=date> takes ISO dates only: the locale's format ("07.12.2026" in
        # Danish) leaves the field empty in the browser, and a required field blocks the form
        super().__init__(attrs, format=format)


class InterventionStartForm(forms.Form):
    intervention_code = forms.ChoiceField(label=_("Intervention"), choices=_intervention_choices)
    step = forms.TypedChoiceField(label=_("Step"), coerce=int,
                                  choices=_step_choices)
    start_date = forms.DateField(label=_("Start date"), widget=DateInput)
    planned_end = forms.DateField(label=_("Planned end"), required=False, widget=DateInput)
    offer = forms.TypedChoiceField(label=_("Offer"), required=False, coerce=int, empty_value=None, choices=())
    overbooking = forms.BooleanField(label=_("Record as an overbooking (the offer has no free place)"),
                                     required=False)
    decided_on = forms.DateField(label=_("Decided on"), required=False, widget=DateInput,
                                 help_text=_("The days from the decision to the start are the wait for a place."))
    provider = forms.CharField(label=_("Provider"), required=False, max_length=200)
    price = forms.DecimalField(label=_("Price (DKK)"), required=False, max_digits=12, decimal_places=2)

    def __init__(self, *args: object, current: object = None, child: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        from trappen.web.offers.forms import offer_field_choices

        self.fields["offer"].choices = offer_field_choices(child)  # type: ignore[attr-defined]
        if current is not None:
            # a step up usually replaces the running intervention: offer to end it the same day
            self.fields["end_current"] = forms.BooleanField(
                required=False,
                label=_("End the current intervention %(intervention)s on the start date") % {
                    "intervention": labels.episode_label(current)},
                help_text=_("Only when the new intervention is on a higher step; reason: moved up the staircase."))
            self.fields["current_version"] = forms.IntegerField(
                widget=forms.HiddenInput, required=False, initial=getattr(current, "version", None))
        committee_steps = rules.approvals().committee_steps()
        if committee_steps:
            # a placement without consent is the committee's decision (approvals.toml, Barnets Lov § 47)
            self.fields["consent"] = forms.ChoiceField(
                label=_("Consent to a placement (step %(steps)s)") % {
                    "steps": ", ".join(str(s) for s in committee_steps)},
                required=False, initial="given",
                choices=[("given", _("Given by the custody holders (and a young person aged 15 or over)")),
                         ("not_given", _("Not given: placement without consent, decided by børn og unge-udvalget"))])
        for step in REASON_STEPS:
            self.fields[f"reason_{step}"] = forms.CharField(
                label=_("Why step %(step)s does not meet the need") % {"step": step},
                required=False, widget=forms.Textarea(attrs={"rows": 2}))
            self.fields[f"noplace_{step}"] = forms.BooleanField(
                label=_("Step %(step)s not available: no free place") % {"step": step}, required=False)

    def without_consent(self) -> bool:
        """Whether the caseworker asks for a placement without consent (the committee decides)."""
        return self.cleaned_data.get("consent") == "not_given"

    def justification(self) -> dict[int, str]:
        """Each lower step's reason; a step ticked "no free place" gets the fixed reason
        (:data:`trappen.offers.NO_FREE_PLACE_REASON`, counted apart from "does not meet the need")."""
        from trappen.offers import NO_FREE_PLACE_REASON

        out = {}
        for s in REASON_STEPS:
            text = (self.cleaned_data.get(f"reason_{s}") or "").strip()
            if self.cleaned_data.get(f"noplace_{s}"):
                text = NO_FREE_PLACE_REASON + (f": {text}" if text else "")
            if text:
                out[s] = text
        return out


class InterventionEndForm(forms.Form):
    end_date = forms.DateField(label=_("End date (first day without)"), widget=DateInput)
    end_reason = forms.ChoiceField(label=_("Reason"), choices=labels.choices("end_reason"))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    """Optimistic lock (docs/casework.md): the episode version the form was opened at."""
