"""Forms of the collaboration pages (input validated here, then by the services)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from trappen.collaboration import CONSENT_GIVERS, FIELD_GROUPS, ORG_KINDS
from trappen.web.collaboration.labels import choices
from trappen.web.collaboration.models import (
    CONCERN_KINDS,
    CONSULTATION_OUTCOMES,
    MEETING_KINDS,
    NETWORK_RELATIONS,
    NETWORK_ROLES,
)
from trappen.web.pages.forms import DateInput


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of meeting"), choices=choices(MEETING_KINDS))
    held_on = forms.DateField(label=_("Date"), widget=DateInput)
    organisations = forms.MultipleChoiceField(label=_("Organisations taking part"), required=False,
                                              widget=forms.CheckboxSelectMultiple)
    partners = forms.MultipleChoiceField(label=_("Professionals taking part"), required=False,
                                         widget=forms.CheckboxSelectMultiple)
    parents = forms.CharField(label=_("Parents taking part (names, one per line)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    child_takes_part = forms.BooleanField(label=_("The child takes part"), required=False)
    network = forms.CharField(label=_("Network persons (names, one per line)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    support_person = forms.CharField(label=_("Support person (bisidder)"), required=False, max_length=200)

    def __init__(self, *args: Any, organisations: list[tuple[int, str]], partners: list[tuple[int, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["organisations"]).choices = [(str(k), v) for k, v in organisations]
        cast(forms.ChoiceField, self.fields["partners"]).choices = [(str(k), v) for k, v in partners]


class MinutesForm(forms.Form):
    child_view = forms.CharField(label=_("The child's view"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    parents_view = forms.CharField(label=_("The parents' view"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 3}))
    decisions = forms.CharField(label=_("Decisions"), widget=forms.Textarea(attrs={"rows": 3}))


class ActionForm(forms.Form):
    text = forms.CharField(label=_("Agreed action"), max_length=300)
    owner = forms.ChoiceField(label=_("Owner"))
    due_on = forms.DateField(label=_("Due"), widget=DateInput)

    def __init__(self, *args: Any, owners: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["owner"]).choices = [(str(k), v) for k, v in owners]


class ConsentForm(forms.Form):
    giver = forms.ChoiceField(label=_("Given by"), choices=choices(CONSENT_GIVERS))
    sole_custody = forms.BooleanField(label=_("The giver holds custody alone"), required=False)
    field_groups = forms.MultipleChoiceField(label=_("What may be shared"), choices=choices(FIELD_GROUPS),
                                             widget=forms.CheckboxSelectMultiple)
    organisations = forms.MultipleChoiceField(label=_("With"), widget=forms.CheckboxSelectMultiple)
    purpose = forms.CharField(label=_("Purpose"), max_length=300)
    valid_from = forms.DateField(label=_("From"), widget=DateInput)
    valid_to = forms.DateField(label=_("To"), widget=DateInput, required=False)

    def __init__(self, *args: Any, organisations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["organisations"]).choices = [(str(k), v) for k, v in organisations]


class BasisForm(forms.Form):
    basis = forms.ChoiceField(label=_("Legal basis"))
    organisation = forms.ChoiceField(label=_("Organisation"))
    reason = forms.CharField(label=_("Why the sharing is necessary"), max_length=300)
    valid_from = forms.DateField(label=_("From"), widget=DateInput)
    valid_to = forms.DateField(label=_("To"), widget=DateInput, required=False)

    def __init__(self, *args: Any, bases: list[tuple[str, str]], organisations: list[tuple[int, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["basis"]).choices = bases
        cast(forms.ChoiceField, self.fields["organisation"]).choices = [(str(k), v) for k, v in organisations]


class Step1Form(forms.Form):
    intervention_code = forms.ChoiceField(label=_("Support"))
    goal = forms.CharField(label=_("Goal"), max_length=300)
    start_date = forms.DateField(label=_("Start"), widget=DateInput)
    planned_review = forms.DateField(label=_("Planned review"), widget=DateInput)

    def __init__(self, *args: Any, codes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["intervention_code"]).choices = codes


class ConsultationForm(forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=DateInput)
    age = forms.IntegerField(label=_("The child's age"), min_value=0, max_value=22)
    concern = forms.ChoiceField(label=_("Kind of concern"), choices=choices(CONCERN_KINDS))
    partner_kind = forms.ChoiceField(label=_("Asked by"), choices=choices(ORG_KINDS))
    advice = forms.CharField(label=_("Advice given (no names or identifying details)"),
                             widget=forms.Textarea(attrs={"rows": 3}))
    outcome = forms.ChoiceField(label=_("Outcome"), choices=choices(CONSULTATION_OUTCOMES))


class NetworkPersonForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    relation = forms.ChoiceField(label=_("Relation"), choices=choices(NETWORK_RELATIONS))
    role = forms.ChoiceField(label=_("Role"), choices=choices(NETWORK_ROLES))


class FamilyGroupConferenceForm(forms.Form):
    coordinator = forms.CharField(label=_("Coordinator"), max_length=200)
    referred_on = forms.DateField(label=_("Referred"), widget=DateInput)
    preparation = forms.CharField(label=_("Preparation"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    conference_on = forms.DateField(label=_("Conference"), widget=DateInput, required=False)
    family_plan = forms.CharField(label=_("The family's own plan"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    follow_up_on = forms.DateField(label=_("Follow-up"), widget=DateInput, required=False)


class GoalFollowUpForm(forms.Form):
    goal = forms.ChoiceField(label=_("Goal"))
    followed_up_on = forms.DateField(label=_("Followed up on"), widget=DateInput)
    progress = forms.IntegerField(label=_("Progress (0-10)"), min_value=0, max_value=10)
    achieved = forms.ChoiceField(label=_("Achieved"), choices=[("", _("Not yet decided")), ("yes", _("Yes")),
                                                                ("no", _("No"))], required=False)
    child_view = forms.CharField(label=_("The child's view"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, goals: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["goal"]).choices = [(str(i), g) for i, g in goals]
