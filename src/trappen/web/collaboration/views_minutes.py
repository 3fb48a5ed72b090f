"""Minutes received (/collaboration/minutes/) and one copy of a meeting's minutes (printable).

A partner reads a copy sent to them or their organisation only while ``meetings`` is still
shared (checked and audited on each read) and sees only the parts still shared; staff open the
child as the case page does (purpose, audit) and print any participant's copy of a meeting of
the child, e.g. the parents' recorded Digital Post copy.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from trappen.collaboration.minutes import MINUTES_PARTS
from trappen.privacy.roles import Scope
from trappen.web.audit.services import audit_list
from trappen.web.casework.views import _open_child
from trappen.web.collaboration import minutes as mn
from trappen.web.collaboration import selectors as sel
from trappen.web.collaboration.models import MinutesDispatch
from trappen.web.collaboration.views import _grant, _partner_child, _refusal
from trappen.web.security.purpose import purpose_prompting

LIST_LIMIT = 100


@login_required
def minutes_list(request: HttpRequest) -> HttpResponse:
    """The minutes the user has received ("Referater")."""
    _grant(request, "meeting", "view")
    rows, hidden = mn.received_rows(request.user, limit=LIST_LIMIT)
    audit_list(actor=request.user, endpoint="minutes_list", child_ids=sorted({r.meeting.child_id for r in rows}))
    return render(request, "collaboration/minutes_list.html", {"rows": rows, "hidden": hidden})


@login_required
@purpose_prompting
def minutes_detail(request: HttpRequest, dispatch_id: int) -> HttpResponse:
    """One participant's copy of the minutes, printable."""
    scope = _grant(request, "meeting", "view")
    row = MinutesDispatch.objects.filter(pk=dispatch_id).select_related("meeting", "meeting__child",
                                                                        "organisation", "user").first()
    if row is None:
        raise Http404("no such minutes")
    share = None
    if scope == Scope.LINKED:
        if not mn.addressed_to(request.user, row):
            raise Http404("no such minutes")
        _partner_child(request, row.meeting.child_id)
        share = sel.sharing_check(request.user, row.meeting.child_id, endpoint=request.path,
                                  groups=mn.GROUPS)
        if "meetings" not in share or "identity" not in share:
            return _refusal(request, share, what=_("these minutes"))
    else:
        _open_child(request, row.meeting.child_id, purpose="read minutes")
    if row.read_at is None and (row.user_id == request.user.pk or share is not None):
        MinutesDispatch.objects.filter(pk=row.pk).update(read_at=timezone.now())
    parts = mn.parts_now(row, share)
    return render(request, "collaboration/minutes.html", {
        "row": row, "meeting": row.meeting, "parts": parts, "c": row.content, "partner": share is not None,
        "withheld": [p for p in MINUTES_PARTS if p not in parts]})
