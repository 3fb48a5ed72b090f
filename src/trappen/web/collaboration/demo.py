"""Synthetic collaboration data for the demo: partner organisations per district, children's
links by age, consents (some withdrawn), recorded legal bases, meetings with agreed actions,
step-1 supports and anonymous consultations, with more collaboration in the pilot districts
after their pilot year. The demo partner acts for a school with a populated My day.
FOR THE SYNTHETIC DEMO ONLY."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from trappen.web.collaboration import services as svc
from trappen.web.collaboration.models import (
    Action,
    ChildLink,
    Consent,
    Consultation,
    Meeting,
    Membership,
    NetworkPerson,
    Organisation,
    Participant,
    SharingBasis,
    Step1Support,
)
from trappen.web.register import models as m

KINDS_PER_DISTRICT = (
    ("school", "Skole", 2),
    ("daycare", "Børnehus", 2),
    ("health_visiting", "Sundhedspleje", 1),
    ("ppr", "PPR", 1),
    ("youth_club", "Ungdomsklub", 1),
)
CONCERNS = ("wellbeing", "absence", "behaviour", "development", "family", "violence", "substance", "other")


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _clear() -> None:
    for model in (
        NetworkPerson,
        Action,
        Participant,
        Meeting,
        Consent.organisations.through,
        Consent,
        SharingBasis,
        Step1Support,
        Consultation,
        ChildLink,
        Membership,
        Organisation,
    ):
        model.objects.all().delete()


def _organisations() -> dict[str, dict[str, list[Organisation]]]:
    out: dict[str, dict[str, list[Organisation]]] = {}
    rows = []
    for d in m.District.objects.order_by("code"):
        for kind, word, n in KINDS_PER_DISTRICT:
            for k in range(1, n + 1):
                suffix = f" {k}" if n > 1 else ""
                rows.append(
                    Organisation(
                        code=f"{d.code}-{kind}-{k}"[:32],
                        name=f"{d.name} {word}{suffix}",
                        kind=kind,
                        district_id=d.code,
                    )
                )
    for code, name, kind in (
        ("GP-1", "Lægehuset", "gp"),
        ("SSP-1", "SSP og politi", "police_ssp"),
        ("VOL-1", "Frivilligcentret", "voluntary"),
    ):
        rows.append(Organisation(code=code, name=name, kind=kind))
    Organisation.objects.bulk_create(rows)
    for o in Organisation.objects.exclude(district=None):
        out.setdefault(str(o.district_id), {}).setdefault(o.kind, []).append(o)
    return out


def _links(orgs: dict[str, dict[str, list[Organisation]]], rng: random.Random, today: dt.date) -> int:
    rows = []
    children = m.Child.objects.filter(Q(exit_date__isnull=True) | Q(exit_date__gt=today)).values_list(
        "pk", "birth_date", "district_id"
    )
    for pk, born, district in children:
        age = _age(born, today)
        by_kind = orgs.get(str(district), {})
        if age < 0 or age > 17:
            continue
        if age < 1 and by_kind.get("health_visiting"):
            rows.append(
                ChildLink(
                    child_id=pk, organisation=by_kind["health_visiting"][0], kind="followed_by", start_date=born
                )
            )
        elif 1 <= age <= 5 and by_kind.get("daycare"):
            rows.append(
                ChildLink(
                    child_id=pk,
                    organisation=rng.choice(by_kind["daycare"]),
                    kind="attends",
                    start_date=born + dt.timedelta(days=365),
                )
            )
        elif age >= 6 and by_kind.get("school"):
            rows.append(
                ChildLink(
                    child_id=pk,
                    organisation=rng.choice(by_kind["school"]),
                    kind="enrolled",
                    start_date=dt.date(born.year + 6, 8, 1),
                )
            )
            if age >= 13 and by_kind.get("youth_club") and rng.random() < 0.3:
                rows.append(
                    ChildLink(
                        child_id=pk,
                        organisation=by_kind["youth_club"][0],
                        kind="attends",
                        start_date=dt.date(born.year + 13, 8, 1),
                    )
                )
    ChildLink.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def _pilot(district: str, day: dt.date, pilots: dict[str, dt.date | None]) -> bool:
    start = pilots.get(district)
    return start is not None and day >= start


def _municipality(rng: random.Random, today: dt.date, caseworker: object) -> dict[str, int]:
    """Meetings before placements, meetings on open cases, consultations (some linked to the
    notification that followed), step-1 supports as the source of existing step-1 episodes."""
    pilots = dict(m.District.objects.values_list("code", "pilot_from"))
    start = today - dt.timedelta(days=730)
    meetings, participants, actions = [], [], []
    placed: dict[int, tuple[str, dt.date]] = {}
    for placed_child, placed_district, placed_on in (
        m.Episode.objects.filter(step__gte=4, start_date__gte=start)
        .values_list("child_id", "child__district_id", "start_date")
        .order_by("start_date")
    ):
        placed.setdefault(int(placed_child), (str(placed_district), placed_on))
    for child, (district, first) in placed.items():
        if rng.random() < (0.7 if _pilot(district, first, pilots) else 0.25):
            kind = rng.choice(("network_meeting", "family_group_conference"))
            meetings.append(
                Meeting(
                    child_id=child,
                    kind=kind,
                    held_on=first - dt.timedelta(days=rng.randint(7, 60)),
                    decisions="Familiens egen plan aftalt",
                    minutes_at=timezone.now(),
                )
            )
    open_cases = list(
        m.Assignment.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gt=today), start_date__lte=today
        ).values_list("child_id", "child__district_id")
    )
    for open_child, open_district in open_cases:
        if rng.random() < (0.4 if _pilot(str(open_district), today, pilots) else 0.15):
            meetings.append(
                Meeting(
                    child_id=open_child,
                    kind="cross_disciplinary",
                    held_on=today - dt.timedelta(days=rng.randint(0, 300)),
                    decisions="Aftaler om trivsel og skolegang",
                    minutes_at=timezone.now(),
                )
            )
    Meeting.objects.bulk_create(meetings, batch_size=5000)
    for mt in Meeting.objects.all().only("pk", "child_id", "held_on"):
        participants.append(Participant(meeting=mt, kind="caseworker", name="Sagsbehandler"))
        participants.append(Participant(meeting=mt, kind="parent", name="Forælder"))
        for k in range(rng.randint(1, 2)):
            due = mt.held_on + dt.timedelta(days=rng.randint(7, 45))
            done = due <= today and rng.random() < 0.75
            actions.append(
                Action(
                    meeting=mt,
                    child_id=mt.child_id,
                    text=f"Aftalt handling {k + 1}",
                    owner=None,
                    owner_kind=rng.choice(("caseworker", "partner", "parent")),
                    due_on=due,
                    status="done" if done else "open",
                    done_on=due - dt.timedelta(days=rng.randint(-10, 5)) if done else None,
                )
            )
    Participant.objects.bulk_create(participants, batch_size=5000)
    Action.objects.bulk_create(actions, batch_size=5000)
    # consultations: kinds asked by partner kinds, more in the pilot districts
    orgs = list(Organisation.objects.exclude(district=None).filter(kind__in=("school", "daycare", "health_visiting")))
    consultations = []
    notes = list(
        m.Notification.objects.filter(received_at__date__gte=start).values_list(
            "pk", "received_at", "child__birth_date", "child__district_id"
        )
    )
    for note_id, received, note_born, note_district in notes:
        if rng.random() < (0.35 if _pilot(str(note_district), received.date(), pilots) else 0.1):
            local = [o for o in orgs if o.district_id == note_district] or orgs
            org = rng.choice(local)
            consultations.append(
                Consultation(
                    held_on=received.date() - dt.timedelta(days=rng.randint(3, 40)),
                    age=max(0, _age(note_born, received.date())),
                    concern=rng.choice(CONCERNS),
                    partner_kind=org.kind,
                    organisation=org,
                    outcome="notify",
                    advice="Drøft med forældrene; underret ved fortsat bekymring",
                    notification_id=note_id,
                )
            )
    for _ in range(len(notes)):
        org = rng.choice(orgs)
        consultations.append(
            Consultation(
                held_on=start + dt.timedelta(days=rng.randint(0, 729)),
                age=rng.randint(0, 17),
                concern=rng.choice(CONCERNS),
                partner_kind=org.kind,
                organisation=org,
                outcome=rng.choice(("advice_only", "advice_only", "step1_offer")),
                advice="Råd om samtale med barnet og forældrene",
            )
        )
    Consultation.objects.bulk_create(consultations, batch_size=5000)
    # step-1 episodes of the register get their source: the organisation the child is linked to
    links = dict(
        ChildLink.objects.filter(organisation__kind__in=("school", "daycare", "health_visiting")).values_list(
            "child_id", "organisation_id"
        )
    )
    supports = []
    for episode in (
        m.Episode.objects.filter(step=1, start_date__gte=start, child_id__in=list(links))
        .exclude(step1_source__isnull=False)
        .only("pk", "child_id", "start_date", "end_date")
    ):
        supports.append(
            Step1Support(
                child_id=episode.child_id,
                organisation_id=links[episode.child_id],
                episode=episode,
                goal="Trivsel i hverdagen",
                start_date=episode.start_date,
                planned_review=episode.start_date + dt.timedelta(days=90),
                end_date=episode.end_date,
                outcome=rng.choice(("goal_met", "goal_met", "partly_met", "not_met")) if episode.end_date else "",
            )
        )
    Step1Support.objects.bulk_create(supports, batch_size=5000)
    # the family's network around placed children: a possible network foster family, a support
    network = [
        NetworkPerson(child_id=child, name=name, relation=relation, role=role)
        for child in list(placed)[: max(1, len(placed) // 2)]
        for name, relation, role in (
            ("Mormor", "grandparent", "possible_network_foster_family"),
            ("Nabo", "neighbour", "support"),
        )
    ]
    NetworkPerson.objects.bulk_create(network, batch_size=5000)
    return {
        "network persons": len(network),
        "meetings": len(meetings),
        "actions": len(actions),
        "consultations": len(consultations),
        "step1_supports": len(supports),
    }


def _demo_partner(rng: random.Random, today: dt.date) -> dict[str, int]:
    """The demo partner acts for a school; their linked children are enrolled there; most have
    both custody holders' consent, one consent is withdrawn, one rests on the legal basis, one
    has nothing (the partner sees the refusal); meetings with actions for the teacher."""
    users = get_user_model().objects
    partner = users.filter(username="partner", role="partner").first()
    caseworker = users.filter(username="caseworker", role="caseworker").first()
    if partner is None or caseworker is None:
        return {}
    children = list(partner.linked_children.order_by("pk"))
    if not children:
        return {}
    district = children[0].district_id
    school = Organisation.objects.filter(kind="school", district_id=district).order_by("pk").first()
    if school is None:
        return {}
    Membership.objects.create(
        user=partner, organisation=school, title="Lærer", start_date=today.replace(month=1, day=1)
    )
    partner.first_name, partner.last_name = "Lærer", "Demo"
    partner.save(update_fields=["first_name", "last_name"])
    made = {"consents": 0, "meetings": 0, "actions": 0}
    for i, child in enumerate(children):
        ChildLink.objects.filter(child=child).delete()
        ChildLink.objects.create(
            child=child, organisation=school, kind="enrolled", start_date=today - dt.timedelta(days=400)
        )
        if i == len(children) - 1:
            continue  # no consent, no basis: the partner sees a refusal for this child
        if i == len(children) - 2:
            svc.basis_record(
                actor=caseworker,
                child=child,
                organisation=school,
                basis="early_preventive_exchange",
                reason="Bekymring for trivsel; tidlig forebyggende indsats",
                valid_from=today - dt.timedelta(days=20),
            )
        else:
            for giver in ("custody_holder_1", "custody_holder_2"):
                consent = svc.consent_record(
                    actor=caseworker,
                    child=child,
                    giver=giver,
                    field_groups=["identity", "step", "early_interventions", "meetings", "actions"],
                    organisation_ids=[school.pk],
                    purpose="Samarbejde mellem skole og familie om barnets trivsel",
                    valid_from=today - dt.timedelta(days=90),
                    valid_to=today + dt.timedelta(days=275),
                )
                made["consents"] += 1
            if i == len(children) - 3:
                svc.consent_withdraw(actor=caseworker, consent=consent, on=today - dt.timedelta(days=2))
                continue
        meeting = svc.meeting_plan(
            actor=caseworker,
            child=child,
            kind=rng.choice(("cross_disciplinary", "network_meeting")),
            held_on=today - dt.timedelta(days=rng.randint(1, 30)),
            organisation_ids=[school.pk],
            others=[("parent", "Mor"), ("parent", "Far")],
        )
        made["meetings"] += 1
        for text, days in (
            ("Trivselssamtale med eleven", rng.randint(-3, 10)),
            ("Ugentlig besked til forældrene", 14),
        ):
            svc.action_assign(
                actor=caseworker,
                meeting=meeting,
                text=text,
                owner=partner,
                due_on=max(meeting.held_on, today + dt.timedelta(days=days)),
            )
            made["actions"] += 1
        svc.action_assign(actor=caseworker, meeting=meeting, text="Indkald til opfølgningsmøde", owner=caseworker,
                          due_on=today + dt.timedelta(days=rng.randint(0, 12)))
        made["actions"] += 1
        svc.minutes_write(  # the minutes go to the participants (trappen.web.collaboration.minutes)
            actor=caseworker,
            meeting=meeting,
            child_view="Barnet vil gerne have mere ro i frikvarteret",
            parents_view="Forældrene ønsker tæt kontakt med skolen",
            decisions="Skolen og familien mødes hver 14. dag",
        )
        if i % 4 == 0:
            svc.meeting_plan(
                actor=caseworker,
                child=child,
                kind="cross_disciplinary",
                held_on=today + dt.timedelta(days=rng.randint(3, 20)),
                organisation_ids=[school.pk],
            )
    return made


@transaction.atomic
def demo_collaboration_load(*, seed: int = 1) -> dict[str, int]:
    """Replace the collaboration data with a synthetic set for the demo register and users."""
    rng = random.Random(seed)
    today = timezone.localdate()
    _clear()
    orgs = _organisations()
    counts = {"organisations": Organisation.objects.count(), "links": _links(orgs, rng, today)}
    caseworker = get_user_model().objects.filter(username="caseworker").first()
    counts.update(_municipality(rng, today, caseworker))
    counts.update({f"demo partner {k}": v for k, v in _demo_partner(rng, today).items()})
    return counts
