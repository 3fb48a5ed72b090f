"""Economics pages: the index, the unit prices with history (a new price from a date), budget
against actual (budget upload), and the accounts mapped to steps (accounts upload).

Access follows the permission table: ``prices`` view/change (economist, administrator),
``budget`` view/create (economist). Uploads are read by the core from a temporary file that is
removed when the request ends; nothing of a refused file is written.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from trappen.errors import InvalidInput
from trappen.privacy.roles import allowed
from trappen.web.economics import selectors as sel
from trappen.web.economics import services as svc
from trappen.web.economics.forms import PriceForm, UploadForm, add_problems

__all__ = ["accounts", "budget", "economics_index", "prices"]


def _role(request: HttpRequest) -> str:
    return getattr(request.user, "role", "") or ""


def _language() -> str:
    return "da" if (get_language() or "da").startswith("da") else "en"


@login_required
def economics_index(request: HttpRequest) -> HttpResponse:
    role = _role(request)
    rights = {"prices": allowed(role, "prices", "view"), "budget": allowed(role, "budget", "view"),
              "investment": allowed(role, "investment", "view")}
    if not (rights["prices"] or rights["budget"]):
        raise PermissionDenied("no right to the economics pages")
    return render(request, "economics/index.html", {"rights": rights})


@login_required
def prices(request: HttpRequest) -> HttpResponse:
    svc.require(request.user, "prices", "view")
    can_change = allowed(_role(request), "prices", "change")
    form = PriceForm()
    if request.method == "POST":
        svc.require(request.user, "prices", "change")
        form = PriceForm(request.POST)
        if form.is_valid():
            try:
                price = svc.price_add(user=request.user, **form.cleaned_data)
            except InvalidInput as exc:
                add_problems(form, exc)
            else:
                name = dict(form.fields["intervention_code"].choices).get(  # type: ignore[attr-defined]
                    price.intervention_code, price.intervention_code)  # the type's name, not its code
                messages.success(request, _("New price for %(code)s from %(date)s saved; the earlier price is kept.")
                                 % {"code": name, "date": price.valid_from})
                return redirect("economics_prices")
    rows = sel.price_rows(today=timezone.localdate(), language=_language())
    return render(request, "economics/prices.html", {"rows": rows, "form": form, "can_change": can_change},
                  status=422 if form.errors else 200)


@contextmanager
def _uploaded(upload: object) -> Iterator[Path]:
    """The upload as a file the core can read, under its own (sanitised) name."""
    name = re.sub(r"[^\w.\-]", "_", Path(str(upload.name)).name)[-100:]  # type: ignore[attr-defined]
    with tempfile.TemporaryDirectory(prefix="trappen-upload-") as tmp:
        path = Path(tmp) / name
        with path.open("wb") as out:
            for chunk in upload.chunks():  # type: ignore[attr-defined]
                out.write(chunk)
        yield path


def _import(request: HttpRequest, service: object) -> tuple[UploadForm, object | None]:
    """For the budget and accounts pages (``budget``/``view``): on a POST (``budget``/``create``)
    validate the upload form and run ``service(user=, path=)``; problems go on the form."""
    svc.require(request.user, "budget", "view")
    if request.method != "POST":
        return UploadForm(), None
    svc.require(request.user, "budget", "create")
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return form, None
    with _uploaded(form.cleaned_data["file"]) as path:
        try:
            return form, service(user=request.user, path=path)  # type: ignore[operator]
        except InvalidInput as exc:
            add_problems(form, exc)
            return form, None


def _int_param(request: HttpRequest, key: str, default: int, lo: int, hi: int) -> int:
    raw = request.GET.get(key, "")
    return int(raw) if raw.isdigit() and lo <= int(raw) <= hi else default


@login_required
def budget(request: HttpRequest) -> HttpResponse:
    form, frame = _import(request, svc.budget_import)
    if frame is not None:
        years = sorted(frame["year"].unique().to_list())  # type: ignore[index]
        messages.success(request, _("Budget imported: %(n)s lines for %(years)s.")
                         % {"n": frame.height, "years": ", ".join(map(str, years))})  # type: ignore[attr-defined]
        return redirect(f"{reverse('economics_budget')}?year={years[-1]}")
    can_import = allowed(_role(request), "budget", "create")
    today = timezone.localdate()
    years = sel.budget_years()
    year = _int_param(request, "year", years[0] if years else today.year, *svc.YEARS)
    default_through = 12 if year < today.year else max(today.month - 1, 1)
    through = _int_param(request, "through", default_through, 1, 12)
    report, note = None, ""
    if year in years:
        try:
            report = sel.budget_report(year=year, through_month=through)
        except InvalidInput as exc:
            note = "; ".join(str(p) for p in exc.problems)
    return render(request, "economics/budget.html", {
        "form": form, "can_import": can_import, "years": years, "year": year, "through": through,
        "months": range(1, 13), "report": report, "note": note,
        "chart": report.chart | {"names": {"budget": _("Budget (cumulative)"), "actual": _("Actual (cumulative)"),
                                           "projection": _("Projection to year end")}} if report else None},
        status=422 if form.errors else 200)


@login_required
def accounts(request: HttpRequest) -> HttpResponse:
    form, mapped = _import(request, svc.accounts_import)
    if mapped is not None:
        messages.success(request, _("Accounts imported: %(n)s lines, each in one bucket.")
                         % {"n": mapped.height})  # type: ignore[attr-defined]
        return redirect("economics_accounts")
    can_import = allowed(_role(request), "budget", "create")
    summary = sel.accounts_summary(language=_language())
    return render(request, "economics/accounts.html", {"form": form, "can_import": can_import, "s": summary},
                  status=422 if form.errors else 200)
