"""The investment case as a form: the main inputs of a SØM-style case, as an alternative to the
TOML editor. The form only builds the case dict; :func:`trappen.economics.case_to_toml` writes it
as the same TOML the editor and ``trappen invest run`` read, and the core validates it
(:func:`trappen.economics.case_from_dict`). The core's problems are put back on the field they
name (:func:`add_case_problems`).

What the form cannot hold (distributions, other payers, more cost lines, a forecast shift, the
file's comments) is kept only by the TOML editor; saving the form writes a case without them.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from trappen.economics import InvestmentCase, SomEffect
from trappen.errors import InvalidInput
from trappen.web import rules

CASEWORKERS = "Extra caseworkers"
ONE_OFF = "One-off costs"
FORM_SOURCE = "entered in Trappen's case form"


class CaseForm(forms.Form):
    mode = forms.CharField(widget=forms.HiddenInput, initial="form")
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, max_length=2000)
    start_year = forms.IntegerField(label=_("First year of the investment"))
    price_year = forms.IntegerField(label=_("Price year"))
    horizon_years = forms.IntegerField(label=_("Horizon (years)"), initial=10)
    discount_rate_per_year = forms.FloatField(
        label=_("Discount rate per year"), initial=0.035,
        help_text=_("Real rate, e.g. 0.035 (Finansministeriet 2021: 3.5 % for years 0-35)"))
    extra_fte = forms.FloatField(label=_("Extra caseworkers (FTE)"), required=False)
    dkk_per_fte_per_year = forms.FloatField(label=_("Cost per FTE per year (DKK)"), required=False)
    one_off_dkk = forms.FloatField(label=_("One-off cost in the first year (DKK)"), required=False)
    participants = forms.FloatField(label=_("Participants per year"), required=False)
    success_rate_with = forms.FloatField(label=_("Success rate with the investment"), required=False,
                                         help_text=_("A share, e.g. 0.12"))
    success_rate_without = forms.FloatField(label=_("Success rate without"), required=False)
    phase_in = forms.CharField(label=_("Phase-in (shares by year)"), required=False,
                               help_text=_("Comma-separated, e.g. 0.25, 0.5, 0.75; full effect after"))
    fading_per_year = forms.FloatField(label=_("Fading per year"), required=False)
    fading_from_year = forms.IntegerField(label=_("Fading from year"), required=False)
    prices_price_year = forms.IntegerField(label=_("Price year of the step prices"), required=False,
                                           help_text=_("Empty: the case's price year"))
    earn_back_after_years = forms.IntegerField(label=_("Decision rule: earn back after (years)"), required=False)
    surplus_after_years = forms.IntegerField(label=_("Decision rule: surplus after (years)"), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.steps = rules.staircase().steps
        for step in self.steps:
            self.fields[f"change_{step.number}"] = forms.FloatField(
                label=gettext("Step %(n)s: change in child-years per success") % {"n": step.number},
                required=False)
            self.fields[f"price_{step.number}"] = forms.FloatField(
                label=gettext("Step %(n)s: price per child-year (DKK, municipality)") % {"n": step.number},
                required=False)

    def step_rows(self) -> list[tuple[object, forms.BoundField, forms.BoundField]]:
        """(step, change field, price field) for the template's table."""
        return [(s, self[f"change_{s.number}"], self[f"price_{s.number}"]) for s in self.steps]

    def clean_phase_in(self) -> list[float]:
        raw = self.cleaned_data.get("phase_in") or ""
        try:
            return [float(x) for x in raw.replace(";", ",").split(",") if x.strip()]
        except ValueError:
            raise forms.ValidationError(gettext("%(value)s: give shares separated by commas, e.g. 0.25, 0.5")
                                        % {"value": raw}) from None

    def case_dict(self) -> dict[str, object]:
        """The case as the TOML file's keys (only what was filled in)."""
        d = self.cleaned_data
        case: dict[str, object] = {"name": d["name"], "price_year": d["price_year"],
                                   "start_year": d["start_year"], "horizon_years": d["horizon_years"]}
        if d.get("description"):
            case["description"] = d["description"]
        out: dict[str, object] = {"case": case, "discount": {
            "source": FORM_SOURCE,
            "periods": [{"from_year": 0, "to_year": max(35, (d["horizon_years"] or 1) - 1),
                         "rate_per_year": d["discount_rate_per_year"]}]}}
        costs: list[dict[str, object]] = []
        if d.get("extra_fte") is not None or d.get("dkk_per_fte_per_year") is not None:
            costs.append({"name": CASEWORKERS, "payer": "municipality", "fte": d.get("extra_fte") or 0.0,
                          "dkk_per_fte_per_year": d.get("dkk_per_fte_per_year") or 0.0, "source": FORM_SOURCE})
        if d.get("one_off_dkk"):
            costs.append({"name": ONE_OFF, "payer": "municipality", "dkk": [d["one_off_dkk"]], "source": FORM_SOURCE})
        if costs:
            out["costs"] = costs
        changes = {str(s.number): d[f"change_{s.number}"] for s in self.steps
                   if d.get(f"change_{s.number}") is not None}
        if d.get("participants") is not None or changes:
            effect: dict[str, object] = {
                "kind": "som", "participants": d.get("participants") or 0.0,
                "success_rate_with": d.get("success_rate_with") or 0.0,
                "success_rate_without": d.get("success_rate_without") or 0.0,
                "phase_in": d.get("phase_in") or [], "source": FORM_SOURCE}
            if d.get("fading_per_year") is not None:
                effect["fading_per_year"] = d["fading_per_year"]
            if d.get("fading_from_year") is not None:
                effect["fading_from_year"] = d["fading_from_year"]
            effect["use_change_per_success"] = changes
            out["effect"] = effect
        prices = [{"step": s.number, "municipality": d[f"price_{s.number}"],
                   "price_year": d.get("prices_price_year") or d["price_year"], "source": FORM_SOURCE}
                  for s in self.steps if d.get(f"price_{s.number}") is not None]
        if prices:
            out["prices"] = prices
        earn, surplus = d.get("earn_back_after_years"), d.get("surplus_after_years")
        if earn is not None or surplus is not None:
            rule: dict[str, object] = {"name": gettext("Earn back after %(a)s years, a surplus after %(b)s")
                                       % {"a": earn if earn is not None else "–",
                                          "b": surplus if surplus is not None else "–"}}
            if earn is not None:
                rule["earn_back_after_years"] = earn
            if surplus is not None:
                rule["surplus_after_years"] = surplus
            out["decision_rule"] = rule
        return out


def case_initial(core: InvestmentCase) -> dict[str, object]:
    """Form values from a case (amounts in the case's price year; central values of
    distributions). Inputs the form has no field for are left out."""
    initial: dict[str, object] = {
        "name": core.name, "description": core.description, "start_year": core.start_year,
        "price_year": core.price_year, "horizon_years": core.horizon_years,
        "discount_rate_per_year": core.discount_schedule[0][2] if core.discount_schedule else 0.035,
        "prices_price_year": core.price_year}
    staff = next((c for c in core.costs if c.fte_per_year), None)
    if staff is not None:
        initial |= {"extra_fte": staff.fte_per_year[0], "dkk_per_fte_per_year": staff.dkk_per_fte_per_year}
    lump = next((c for c in core.costs if c.dkk_per_year), None)
    if lump is not None:
        initial["one_off_dkk"] = lump.dkk_per_year[0]
    e = core.effect
    if isinstance(e, SomEffect):
        initial |= {"participants": e.participants_per_year[0] if e.participants_per_year else None,
                    "success_rate_with": e.success_rate_with, "success_rate_without": e.success_rate_without,
                    "phase_in": ", ".join(f"{v:g}" for v in e.phase_in),
                    "fading_per_year": e.fading_per_year, "fading_from_year": e.fading_from_year}
        initial |= {f"change_{s}": v for s, v in e.use_change_per_success.items()}
    for p in core.prices:
        if "municipality" in p.dkk_per_child_year:
            initial[f"price_{p.step}"] = round(p.dkk_per_child_year["municipality"], 2)
    rule = core.decision_rule
    if rule is not None:
        initial |= {"earn_back_after_years": rule.earn_back_after_years,
                    "surplus_after_years": rule.surplus_after_years}
    return initial


# the core's key paths (longest prefix first) and the form field each belongs to
_PATHS = [
    ("case.horizon_years", "horizon_years"), ("horizon_years", "horizon_years"),
    ("case.price_year", "price_year"), ("case.start_year", "start_year"), ("case.name", "name"),
    ("discount", "discount_rate_per_year"), ("discount_schedule", "discount_rate_per_year"),
    (f"costs.{CASEWORKERS}.fte", "extra_fte"), (f"costs.{CASEWORKERS}.dkk_per_fte_per_year", "dkk_per_fte_per_year"),
    (f"costs.{CASEWORKERS}", "extra_fte"), (f"costs.{ONE_OFF}", "one_off_dkk"),
    ("effect.participants", "participants"), ("effect.success_rate_with", "success_rate_with"),
    ("effect.success_rate_without", "success_rate_without"), ("effect.phase_in", "phase_in"),
    ("effect.fading_per_year", "fading_per_year"), ("effect.fading_from_year", "fading_from_year"),
    ("decision_rule.earn_back_after_years", "earn_back_after_years"),
    ("decision_rule.surplus_after_years", "surplus_after_years"),
]


def _field_for(path: str, form: CaseForm) -> str | None:
    parts = path.split(".")
    if parts[0] == "prices" and len(parts) > 1:  # prices.<step>[.payer|.price_year]
        if parts[-1] == "price_year" and len(parts) == 3:
            return "prices_price_year"
        name = f"price_{parts[1]}"
        return name if name in form.fields else None
    if path.startswith("effect.use_change_per_success.") and len(parts) == 3:
        name = f"change_{parts[2]}"
        return name if name in form.fields else None
    for prefix, name in sorted(_PATHS, key=lambda p: -len(p[0])):
        if path == prefix or path.startswith(prefix + ".") or path.startswith(prefix + "["):
            return name
    return None


def add_case_problems(form: CaseForm, exc: InvalidInput) -> None:
    """Each core problem on the field it names (the message keeps the value); others on the form
    with the key path."""
    for p in exc.problems:
        value = "" if p.value is None else " (" + gettext("value: %(value)s") % {"value": p.value} + ")"
        field = _field_for(p.field, form)
        form.add_error(field, f"{p.message}{value}" if field else f"{p.field}: {p.message}{value}")
