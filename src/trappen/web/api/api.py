"""The JSON API under /api/v1/ (django-ninja; OpenAPI at /api/v1/openapi.json, with a token or a session).

Same services, scoping and validation as the pages: a child outside the caller's districts
is 404; the core's refusals are 422 with ``{"detail": ..., "problems": [{field, value,
message}]}``; no token or a bad token is 401. Never a traceback. Every read of a child is
audited.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer
from ninja.throttling import AuthRateThrottle

from trappen.errors import InvalidInput
from trappen.web.api.schema_access import signed_in_or_token
from trappen.web.api.services import token_row
from trappen.web.approvals.models import ApprovalRequest
from trappen.web.approvals.services import intervention_request_or_start
from trappen.web.audit.services import audit_list, audit_record
from trappen.web.casework import selectors as sel
from trappen.web.casework import services as svc
from trappen.web.register import models as m
from trappen.web.register.selectors import child_for_user, children_visible_to, children_with_step
from trappen.web.register.services import intervention_end
from trappen.web.security.purpose import api_purpose, list_scope

logger = logging.getLogger(__name__)

CHILDREN_LIMIT_MAX = 200


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class BearerToken(HttpBearer):
    """A live token (not expired or revoked) acts as its user; writes need its ``write`` scope."""

    def authenticate(self, request: HttpRequest, token: str) -> object | None:
        row = token_row(token)
        if row is None:
            return None
        if request.method not in SAFE_METHODS and "write" not in row.scope_set():
            raise PermissionDenied("this API token may only read: create a token with the write scope")
        request.api_token_key = row.token_sha256  # type: ignore[attr-defined]  # the throttle's key
        return row.user


class TokenRateThrottle(AuthRateThrottle):
    """django-ninja's throttle, per token, at ``TRAPPEN_API_RATE`` (read when each request comes,
    so a changed setting takes effect without a restart). A refused call is a 429 with
    Retry-After."""

    def get_cache_key(self, request: HttpRequest) -> str:
        ident = getattr(request, "api_token_key", None) or self.get_ident(request)
        return self.cache_format % {"scope": "token", "ident": ident}

    def allow_request(self, request: HttpRequest) -> bool:
        from django.conf import settings

        if self.rate != settings.TRAPPEN_API_RATE:
            self.rate = settings.TRAPPEN_API_RATE
            self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)


api = NinjaAPI(title="Trappen API", version="1", urls_namespace="api-v1", auth=BearerToken(),
               throttle=[TokenRateThrottle("600/m")],
               docs_url=None,  # no Swagger UI: it loads its script from a CDN
               docs_decorator=signed_in_or_token)  # the schema only to a user or a token holder


# ------------------------------------------------------------------ errors as JSON

def _jsonable(value: object) -> object:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _error(
    request: HttpRequest, status: int, detail: str, problems: list[dict[str, object]] | None = None
) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "problems": problems or []}, status=status)


@api.exception_handler(InvalidInput)
def _invalid(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
    problems = [{"field": p.field, "value": _jsonable(p.value), "message": p.message} for p in exc.problems]
    return _error(request, 422, str(exc), problems)


@api.exception_handler(NinjaValidationError)
def _schema_invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    problems = []
    for err in exc.errors:
        loc = [str(part) for part in err.get("loc", ()) if part not in ("body", "payload", "query", "path")]
        problems.append({"field": ".".join(loc), "value": _jsonable(err.get("input")), "message": err.get("msg", "")})
    detail = "; ".join(f"field '{p['field']}': {p['message']}" for p in problems)
    return _error(request, 422, detail or "invalid request", problems)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "missing or invalid token: send 'Authorization: Bearer <token>'")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not found")


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, str(exc) or "forbidden")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, str(exc))


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    from trappen.web.outage import is_outage, mark_outage

    if is_outage(exc):  # the database is down: 503 with Retry-After, one log line per outage
        return mark_outage(_error(request, 503, "the database is briefly unavailable; retry later"), exc)
    logger.exception("API error at %s", request.path)
    return _error(request, 500, "internal error; the incident is logged")


# ------------------------------------------------------------------ schemas


class ErrorOut(Schema):
    detail: str
    problems: list[dict[str, object]]


class ChildOut(Schema):
    """A child; for partners only the fields shared with them (the others are null)."""

    id: int
    name: str | None = None
    birth_date: dt.date | None = None
    sex: str | None = None
    district_code: str | None = None
    current_step: int | None = None


class DeadlineOut(Schema):
    duty_id: str
    ref_table: str
    ref_id: int
    seq: int
    due_at: dt.datetime
    done_at: dt.datetime | None
    status: str
    legal_source: str


class NotificationIn(Schema):
    child_id: int
    received_at: dt.datetime
    notifier_kind: str


class PartnerNotificationIn(Schema):
    cpr: str
    name: str
    notifier_kind: str
    concern: str


class NotificationReceiptOut(Schema):
    """A notifier's receipt: the notification's number and 24-hour clock, nothing about the child."""

    id: int
    received_at: dt.datetime
    notifier_kind: str
    assess_by: dt.datetime


class NotificationOut(Schema):
    id: int
    child_id: int
    received_at: dt.datetime
    notifier_kind: str
    assessed_at: dt.datetime | None
    outcome: str | None
    assess_by: dt.datetime


class AssessmentIn(Schema):
    assessed_at: dt.datetime
    outcome: str


class InterventionIn(Schema):
    child_id: int
    intervention_code: str
    step: int
    start_date: dt.date
    planned_end: dt.date | None = None
    justification: dict[int, str] | None = None
    provider: str = ""
    price: Decimal | None = None
    offer: int | None = None
    """An offer's ``id`` (GET /offers): it must serve the step, code and age and be open."""
    overbooking: bool = False
    """Start in a full offer, recorded as an overbooking (refused without it)."""
    decided_on: dt.date | None = None
    """The decision day: the wait for a place runs from it to the start."""
    without_consent: bool = False
    """A placement without consent: the committee's decision (approvals.toml), always a request."""


class ApprovalRequestOut(Schema):
    """A step-up awaiting approval (approvals.toml): nothing has started yet."""

    approval_request_id: int
    child_id: int
    intervention_code: str
    step: int
    start_date: dt.date
    status: str
    committee: bool


class InterventionOut(Schema):
    id: int
    child_id: int
    intervention_code: str
    step: int
    start_date: dt.date
    planned_end: dt.date | None
    end_date: dt.date | None
    end_reason: str | None


class InterventionEndIn(Schema):
    end_date: dt.date
    end_reason: str


class FollowUpIn(Schema):
    episode_id: int
    held_on: dt.date


class FollowUpOut(Schema):
    id: int
    child_id: int
    episode_id: int
    held_on: dt.date


ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _child_out(child: m.Child, user: object) -> dict[str, object]:
    out = {
        "id": child.pk,
        "name": child.name,
        "birth_date": child.birth_date,
        "sex": child.sex,
        "district_code": child.district_id,
        "current_step": child.current_step,
    }
    if getattr(user, "role", None) == "partner":  # only the shared fields (permissions.toml)
        from trappen.privacy.roles import PARTNER_SHARED_FIELDS

        out = {k: (v if k in PARTNER_SHARED_FIELDS or k == "id" else None) for k, v in out.items()}
    return out


def _audited_child(request: HttpRequest, child_id: int, *, purpose: str) -> m.Child:
    try:
        child = child_for_user(request.auth, child_id)
    except Http404:
        audit_record(
            actor=request.auth,
            child_id=child_id,
            action="read",
            endpoint=request.path,
            purpose=f"refused: not in scope ({purpose})",
        )
        raise
    chosen = api_purpose(request, request.auth, child.pk)  # 403 naming X-Purpose when missing
    audit_record(actor=request.auth, child_id=child.pk, action="read", endpoint=request.path, purpose=chosen)
    return child


def _notification_out(n: m.Notification) -> dict[str, object]:
    from trappen.deadlines import default_duties

    hours = default_duties()["D1"].param("hours")  # Barnets Lov § 133 stk. 2 (duties.toml D1)
    return {
        "id": n.pk,
        "child_id": n.child_id,
        "received_at": n.received_at,
        "notifier_kind": n.notifier_kind,
        "assessed_at": n.assessed_at,
        "outcome": n.outcome,
        "assess_by": n.received_at + dt.timedelta(hours=hours),
    }


# ------------------------------------------------------------------ reads


@api.get("/children", response={200: list[ChildOut], **ERRORS})
def children_list(request: HttpRequest, limit: int = 100, offset: int = 0) -> list[dict[str, object]]:
    """Children the caller may see, by id: without an ``X-Purpose`` header only the caller's own
    cases (partners: their linked children); with one, every child in the caller's scope."""
    limit = max(1, min(limit, CHILDREN_LIMIT_MAX))
    visible, purpose = list_scope(request, request.auth, children_visible_to(request.auth))
    qs = children_with_step(visible, on=timezone.localdate()).order_by("pk")
    offset = min(max(offset, 0), 2**31 - 1)  # databases' integer range (fuzzing found a 500)
    children = list(qs[offset : offset + limit])
    # one audit row per request, the children listed by id (an access request finds it by child)
    audit_list(actor=request.auth, endpoint=request.path, child_ids=[c.pk for c in children], purpose=purpose)
    return [_child_out(c, request.auth) for c in children]


@api.get("/children/{child_id}", response={200: ChildOut, **ERRORS})
def child_read(request: HttpRequest, child_id: int) -> dict[str, object]:
    child = _audited_child(request, child_id, purpose="api read child")
    child = children_with_step(m.Child.objects.filter(pk=child.pk), on=timezone.localdate()).get()
    return _child_out(child, request.auth)


@api.get("/children/{child_id}/deadlines", response={200: list[DeadlineOut], **ERRORS})
def child_deadlines(request: HttpRequest, child_id: int, all: bool = False) -> list[dict[str, object]]:
    """The child's deadline items: open and overdue (overdue first); ``all=true`` adds done ones.
    Only for roles with ``deadline``/``view`` (a partner has none: 403)."""
    from trappen.privacy.roles import permission

    if permission(getattr(request.auth, "role", "") or "", "deadline", "view") is None:  # type: ignore[attr-defined]
        child_for_user(request.auth, child_id)  # type: ignore[attr-defined]  # out of reach: 404, as everywhere
        raise PermissionDenied("no right to view deadlines")
    child = _audited_child(request, child_id, purpose="api read deadlines")
    now = timezone.now()
    if all:
        from trappen.deadlines import deadline_items

        items = deadline_items(sel.register_for_children([child.pk]), now=now)
    else:
        items = sel.open_deadlines([child.pk], now=now)
    return list(items.select(list(DeadlineOut.model_fields)).iter_rows(named=True))


# ------------------------------------------------------------------ writes


@api.post("/notifications", response={201: NotificationOut, **ERRORS})
def notification_create(request: HttpRequest, payload: NotificationIn) -> Status:
    """Register a notification; the answer carries ``assess_by`` (the 24-hour clock)."""
    child = child_for_user(request.auth, payload.child_id)
    n = svc.notification_register(
        actor=request.auth, child=child, received_at=payload.received_at, notifier_kind=payload.notifier_kind
    )
    return Status(201, _notification_out(n))


@api.post("/notifications/by-cpr", response={201: NotificationReceiptOut, **ERRORS})
def notification_by_cpr(request: HttpRequest, payload: PartnerNotificationIn) -> Status:
    """A professional's notification about any child, identified by CPR number (partners: the
    duty to notify). The receipt is the same whether or not the municipality knew the child."""
    n = svc.notification_submit(
        actor=request.auth,
        cpr=payload.cpr,
        name=payload.name,
        notifier_kind=payload.notifier_kind,
        concern=payload.concern,
    )
    out = _notification_out(n)
    return Status(201, {k: out[k] for k in ("id", "received_at", "notifier_kind", "assess_by")})


@api.post("/notifications/{notification_id}/assessment", response={200: NotificationOut, **ERRORS})
def notification_assessment(request: HttpRequest, notification_id: int, payload: AssessmentIn) -> dict[str, object]:
    n = m.Notification.objects.filter(child__in=children_visible_to(request.auth), pk=notification_id).first()
    if n is None:
        raise Http404("no such notification")
    n = svc.notification_assess(
        actor=request.auth, notification=n, assessed_at=payload.assessed_at, outcome=payload.outcome
    )
    return _notification_out(n)


def _episode_out(e: m.Episode) -> dict[str, object]:
    return {
        "id": e.pk,
        "child_id": e.child_id,
        "intervention_code": e.intervention_code,
        "step": e.step,
        "start_date": e.start_date,
        "planned_end": e.planned_end,
        "end_date": e.end_date,
        "end_reason": e.end_reason,
    }


@api.post("/interventions", response={201: InterventionOut, 202: ApprovalRequestOut, **ERRORS})
def intervention_create(request: HttpRequest, payload: InterventionIn) -> Status:
    """Start an intervention. Moving the child up needs ``justification``: {step: reason} for
    every lower step passed over; without it the answer is 422 naming ``justification``. On a
    step that needs approval (approvals.toml) nothing starts: 202 with the approval request."""
    child = child_for_user(request.auth, payload.child_id)
    offer: dict[str, Any] = ({"offer": payload.offer, "overbooking": payload.overbooking,
                              "decided_on": payload.decided_on} if payload.offer is not None else {})
    e = intervention_request_or_start(
        actor=request.auth,
        without_consent=payload.without_consent,
        child=child,
        intervention_code=payload.intervention_code,
        step=payload.step,
        start_date=payload.start_date,
        planned_end=payload.planned_end,
        justification=payload.justification,
        provider=payload.provider,
        price=payload.price,
        **offer,
    )
    if isinstance(e, ApprovalRequest):
        return Status(202, {"approval_request_id": e.pk, "child_id": e.child_id,
                            "intervention_code": e.intervention_code, "step": e.step, "start_date": e.start_date,
                            "status": e.status, "committee": e.committee})
    return Status(201, _episode_out(e))


def _episode(request: HttpRequest, episode_id: int) -> m.Episode:
    e = m.Episode.objects.filter(child__in=children_visible_to(request.auth), pk=episode_id).first()
    if e is None:
        raise Http404("no such intervention")
    return e


@api.post("/interventions/{episode_id}/end", response={200: InterventionOut, **ERRORS})
def intervention_finish(request: HttpRequest, episode_id: int, payload: InterventionEndIn) -> dict[str, object]:
    e = intervention_end(
        actor=request.auth,
        episode=_episode(request, episode_id),
        end_date=payload.end_date,
        end_reason=payload.end_reason,
    )
    return _episode_out(e)


@api.post("/follow-ups", response={201: FollowUpOut, **ERRORS})
def follow_up_create(request: HttpRequest, payload: FollowUpIn) -> Status:
    fu = svc.follow_up_record(
        actor=request.auth, episode=_episode(request, payload.episode_id), held_on=payload.held_on
    )
    return Status(201, {"id": fu.pk, "child_id": fu.child_id, "episode_id": fu.episode_id, "held_on": fu.held_on})


from trappen.web.forecasts.api import router as forecasts_router  # noqa: E402 (after the handlers)

api.add_router("/forecasts", forecasts_router)

from trappen.web.investments.api import router as investments_router  # noqa: E402

api.add_router("/investments", investments_router)

from trappen.web.offers.api import router as offers_router  # noqa: E402

api.add_router("/offers", offers_router)

from trappen.web.dashboards.api import router as kpis_router  # noqa: E402

api.add_router("/kpis", kpis_router)

from trappen.web.dst.api import router as dst_router  # noqa: E402

api.add_router("/dst", dst_router)

from trappen.web.collaboration.api import router as collaboration_router  # noqa: E402

api.add_router("/collaboration", collaboration_router)

from trappen.web.national.api import router as national_router  # noqa: E402

api.add_router("/national", national_router)
