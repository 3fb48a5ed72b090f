"""Forms of the offer pages: filters, the edit form, the import upload."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from trappen.offers import EVIDENCE_LEVELS, PROVIDERS
from trappen.web import labels, rules
from trappen.web.pages.forms import DateInput


def _steps() -> list[tuple[str, object]]:
    return [("", _("All steps"))] + [(str(s.number), f"{s.number}: {labels.label(s.number, 'step')}")
                                     for s in rules.staircase().steps]


class FilterForm(forms.Form):
    step = forms.ChoiceField(label=_("Step"), required=False, choices=_steps)
    provider_kind = forms.ChoiceField(label=_("Provider"), required=False,
                                      choices=lambda: [("", _("All providers"))] + [
                                          (p, labels.label(p, "provider_kind")) for p in PROVIDERS])
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=lambda: [("", _("All statuses"))] + [
                                   (s, labels.label(s, "offer_status")) for s in ("open", "closing", "closed")])
    free = forms.BooleanField(label=_("Only offers with free places"), required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class OfferEditForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Name"), max_length=200)
    provider_name = forms.CharField(label=_("Provider name"), max_length=200, required=False)
    places = forms.IntegerField(label=_("Places"))
    age_min_years = forms.IntegerField(label=_("Youngest age (years)"))
    age_max_years = forms.IntegerField(label=_("Oldest age (years)"))
    closing_on = forms.DateField(label=_("Closing from"), required=False, widget=DateInput)
    closed_on = forms.DateField(label=_("Closed from"), required=False, widget=DateInput)
    programme = forms.CharField(label=_("Programme"), max_length=200, required=False)
    evidence_level = forms.ChoiceField(
        label=_("Evidence level"), choices=lambda: [(e, labels.label(e, "evidence_level")) for e in EVIDENCE_LEVELS])
    evidence_source = forms.CharField(label=_("Evidence source"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}))
    expected_effect_smd = forms.FloatField(label=_("Expected effect (SMD)"), required=False)
    expected_effect_se = forms.FloatField(label=_("Uncertainty of the effect (standard error)"), required=False)
    new_price_from = forms.DateField(label=_("New price from"), required=False, widget=DateInput)
    new_price = forms.FloatField(label=_("New price (DKK per day)"), required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if (data.get("new_price_from") is None) != (data.get("new_price") is None):
            raise forms.ValidationError(_("A new price needs both its first day and its amount."))
        return data


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Catalogue (Excel .xlsx, or the offers CSV)"))
    prices = forms.FileField(label=_("Prices CSV (with a CSV catalogue)"), required=False)

    def clean(self) -> dict[str, object]:
        from django.conf import settings

        data = super().clean() or {}
        for key in ("file", "prices"):
            upload = data.get(key)
            if upload is None:
                continue
            name = upload.name or ""
            if not name.lower().endswith((".csv", ".xlsx")):
                self.add_error(key, _("%(name)s: only .csv and .xlsx files are read.") % {"name": name})
            elif upload.size > settings.TRAPPEN_UPLOAD_MAX_BYTES:
                self.add_error(key, _("%(name)s is %(size)s bytes; at most %(max)s are accepted.") % {
                    "name": name, "size": upload.size, "max": settings.TRAPPEN_UPLOAD_MAX_BYTES})
        upload = data.get("file")
        if upload is not None and (upload.name or "").lower().endswith(".csv") and data.get("prices") is None:
            self.add_error("prices", _("A CSV catalogue needs its prices file too."))
        return data


def offer_field_choices(child: object) -> list[tuple[object, object]]:
    """The offer picker of a new intervention: open offers serving the child's age today, each
    with its steps and free places (a full one says so: it can be picked only as an overbooking)."""
    from django.utils import timezone

    from trappen.web.offers.selectors import age_years, offer_choices

    today = timezone.localdate()
    birth = getattr(child, "birth_date", None)
    age = age_years(birth, today) if birth is not None else None
    out: list[tuple[object, object]] = [("", _("No offer from the catalogue (provider as text)"))]
    for c in offer_choices(on=today, age_years=age):
        steps = ", ".join(str(s) for s in c.offer.steps)
        state = (_("full: overbooking only") if c.full else
                 _("%(n)s free") % {"n": c.free})
        out.append((c.pk, _("%(name)s (step %(steps)s, %(state)s)") % {"name": c.offer.name, "steps": steps,
                                                                       "state": state}))
    return out
