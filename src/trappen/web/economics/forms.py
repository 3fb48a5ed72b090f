"""Forms of the economics pages: a new price, and a file upload (budget or accounts).

Only the shape is checked here; the values (a negative price, a missing price year, an earlier
start, an unknown step or account) are checked by the core, whose problems are put back on the
form with the offending value (:func:`add_problems`)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from trappen.errors import InvalidInput
from trappen.web import rules

UPLOAD_SUFFIXES = (".csv", ".xlsx")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, object] | None = None, format: str = "%Y-%m-%d") -> None:  # noqa: A002
        # an <input type=date> takes ISO dates only: the locale's format ("07.12.2026" in
        # Danish) leaves the field empty in the browser, and a required field blocks the form
        super().__init__(attrs, format=format)


class PriceForm(forms.Form):
    intervention_code = forms.ChoiceField(
        label=_("Intervention type"), choices=(),
        error_messages={"invalid_choice": _("%(value)s is not an intervention type of the catalogue.")})
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput)
    cost_dkk_per_day = forms.FloatField(label=_("Price (DKK per day)"), required=False)
    price_year = forms.IntegerField(label=_("Price year"), required=False)
    source = forms.CharField(label=_("Source"), required=False, max_length=500)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # the type's name in the page's language, not its code (#15: labels, never codes)
        language = "da" if (get_language() or "da").startswith("da") else "en"
        self.fields["intervention_code"].choices = sorted(  # type: ignore[attr-defined]
            ((t.code, t.name(language)) for t in rules.catalogue().types), key=lambda c: c[1])


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File (CSV or Excel .xlsx)"))

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        name = upload.name or ""
        if not name.lower().endswith(UPLOAD_SUFFIXES):
            raise forms.ValidationError(_("%(name)s: only .csv and .xlsx files are read."),
                                        params={"name": name})
        # TRAPPEN_UPLOAD_MAX_BYTES (1 MiB): budgets and accounts are a few hundred lines
        if upload.size > settings.TRAPPEN_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(_("%(name)s is %(size)s bytes; at most %(max)s are accepted."),
                                        params={"name": name, "size": upload.size,
                                                "max": settings.TRAPPEN_UPLOAD_MAX_BYTES})
        return upload


def add_problems(form: forms.Form, exc: InvalidInput) -> None:
    """Put each core problem on its field, or on the form naming table, row and column; the
    offending value is always named. A rate's row number (its place in the whole rate table)
    means nothing to the user and is left out."""
    for p in exc.problems:
        value = "" if p.value is None else " (" + gettext("value: %(value)s") % {"value": p.value} + ")"
        if p.field in form.fields and (p.row is None or p.table == "rates"):
            form.add_error(p.field, f"{p.message}{value}")
            continue
        where = [p.table] if p.table else []
        where += ([gettext("row %(row)s") % {"row": p.row}, gettext("column '%(column)s'") % {"column": p.field}]
                  if p.row is not None else [f"'{p.field}'"])
        form.add_error(None, f"{', '.join(where)}: {p.message}{value}")
