"""Goal pages: the list with each goal's progress (``kpi``/``view``, as the dashboards) and the
form to record one (``kpi``/``export``: team leaders and analysts). Thin: the service validates
with the core, the selector computes progress with the KPI engine."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trappen.errors import InvalidInput
from trappen.kpi import kpi_catalogue
from trappen.web import labels
from trappen.web.dashboards.selectors import analytic_register
from trappen.web.dashboards.views import dashboard_access
from trappen.web.goals import selectors as sel
from trappen.web.goals import services as svc
from trappen.web.goals.models import Goal
from trappen.web.register.models import District

STATUS_LABELS = {"on_track": _("On track"), "off_track": _("Off track"), "met": _("Met")}


class GoalForm(forms.Form):
    kpi_code = forms.ChoiceField(label=_("KPI"))
    district = forms.ChoiceField(label=_("District"), required=False)
    baseline_value = forms.FloatField(label=_("Baseline value"))
    baseline_date = forms.DateField(label=_("Baseline date"), widget=forms.DateInput(attrs={"type": "date"}))
    target_value = forms.FloatField(label=_("Target value"))
    target_date = forms.DateField(label=_("Target date"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kpi_code"].choices = [(k.code, labels.label(k.code, "kpi")) for k in kpi_catalogue()]
        self.fields["district"].choices = [("", _("Whole municipality"))] + [
            (d.code, d.name) for d in District.objects.order_by("code")]


@login_required
def goal_list(request: HttpRequest) -> HttpResponse:
    access = dashboard_access(request.user)  # 403 without kpi/view
    goals = list(Goal.objects.all())
    rows = []
    if goals:
        register, _version = analytic_register()
        rows = sel.goal_rows(goals, register=register, today=timezone.localdate(), publish=access.publish)
    return render(request, "goals/list.html", {
        "rows": rows, "labels": STATUS_LABELS, "can_record": svc.can_record_goals(request.user)})


@login_required
def goal_new(request: HttpRequest) -> HttpResponse:
    if not svc.can_record_goals(request.user):
        raise PermissionDenied("recording goals needs kpi/export")
    form = GoalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            svc.goal_create(actor=request.user, **form.cleaned_data)
        except InvalidInput as exc:
            for p in exc.problems:
                form.add_error(p.field if p.field in form.fields else None, p.message)
        else:
            return redirect("goal_list")
    status = 422 if request.method == "POST" else 200
    return render(request, "goals/new.html", {"form": form}, status=status)
