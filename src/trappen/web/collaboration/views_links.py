"""Link an anonymous consultation to the notification that followed it, or undo the link.

The responsible caseworker (``consultation``/``change`` at scope own, permissions.toml) opens a
notification of their case, sees the unlinked consultations that match it (the notifier's partner
kind, the child's age band, the months before) and links one; consultations hold no identity, so
none is shown. Every link and unlink is audited; the KPI "notifications preceded by a
consultation" counts the link.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from trappen.errors import InvalidInput
from trappen.web.audit.services import audit_record
from trappen.web.casework.views import _open_child
from trappen.web.collaboration import selectors as sel
from trappen.web.collaboration import services as svc
from trappen.web.collaboration.models import Consultation
from trappen.web.register import models as m
from trappen.web.scope import may
from trappen.web.security.purpose import purpose_prompting


def _consultation(request: HttpRequest) -> Consultation:
    raw = request.POST.get("consultation", "")
    row = Consultation.objects.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 10 else None
    if row is None:
        raise InvalidInput([])
    return row


@login_required
@purpose_prompting
def notification_consultations(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification = m.Notification.objects.filter(pk=notification_id).select_related("child").first()
    if notification is None:
        audit_record(actor=request.user, child_id=None, action="read", endpoint=request.path,
                     purpose="refused: no such notification")
        raise Http404("no such notification")
    child = _open_child(request, notification.child_id, purpose="link consultation")
    if not may(request.user, "consultation", "change", child=child):
        raise PermissionDenied("consultation/change: outside the grant's scope for this child (permissions.toml)")
    here = redirect("notification_consultations", notification_id=notification.pk)
    if request.method == "POST":
        try:
            row = _consultation(request)
            if request.POST.get("form") == "unlink":
                if row.notification_id != notification.pk:
                    raise InvalidInput([])
                svc.consultation_unlink(actor=request.user, consultation=row)
                messages.success(request, _("The consultation is no longer linked to this notification."))
            else:
                svc.consultation_link(actor=request.user, consultation=row, notification=notification)
                messages.success(request, _("Consultation linked: it counts as the first concern."))
        except InvalidInput as exc:
            messages.error(request, "; ".join(f"{p.message} ({p.value})" for p in exc.problems)
                           or _("No such consultation to link or unlink."))
        return here
    wide = request.GET.get("wide") == "1"
    return render(request, "collaboration/notification_consultations.html", {
        "notification": notification, "child": child, "wide": wide,
        "linked": notification.consultations.order_by("-held_on", "-pk"),
        "candidates": sel.consultation_candidates(notification, wide=wide),
        "window": sel.CONSULTATION_WINDOW_DAYS, "band": sel.AGE_BAND,
        "age": sel.age_on(child.birth_date, timezone.localtime(notification.received_at).date())})
