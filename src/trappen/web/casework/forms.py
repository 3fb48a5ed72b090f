"""Casework forms: parse and shape input; the services validate it."""

from __future__ import annotations

from django import forms
from django.forms import BoundField
from django.http import QueryDict
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from trappen.web import labels


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, object] | None = None, format: str = "%Y-%m-%d") -> None:  # noqa: A002
        # an <input type=date> takes ISO dates only: the locale's format ("07.12.2026" in
        # Danish) leaves the field empty in the browser, and a required field blocks the form
        super().__init__(attrs, format=format)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, object] | None = None, format: str = "%Y-%m-%dT%H:%M") -> None:  # noqa: A002
        super().__init__(attrs, format=format)  # ISO, as for DateInput


class NotificationForm(forms.Form):
    received_at = forms.DateTimeField(label=_("Received"), widget=DateTimeInput)
    notifier_kind = forms.ChoiceField(label=_("Notifier"), choices=labels.choices("notifier"))


PARTNER_NOTIFIER_KINDS = ("school", "daycare", "health_visitor", "health_service", "other_professional")


class NoEchoInput(forms.TextInput):
    """A text box that never sends its value back in the page (a CPR number typed in is not
    written into the HTML again when the form comes back with an error)."""

    def format_value(self, value: object) -> None:
        return None


class PartnerNotificationForm(forms.Form):
    """A professional's notification about any child (the duty to notify)."""

    cpr = forms.CharField(label=_("The child's CPR number"), max_length=11,
                          widget=NoEchoInput(attrs={"autocomplete": "off", "inputmode": "numeric"}))
    name = forms.CharField(label=_("The child's name"), max_length=200)
    notifier_kind = forms.ChoiceField(label=_("You write as"),
                                      choices=[(k, labels.NOTIFIERS[k]) for k in PARTNER_NOTIFIER_KINDS])
    concern = forms.CharField(label=_("What are you worried about?"), max_length=5_000,
                              widget=forms.Textarea(attrs={"rows": 8}))


class AssessmentForm(forms.Form):
    assessed_at = forms.DateTimeField(label=_("Assessed"), widget=DateTimeInput)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=labels.choices("outcome"))


class InvestigationOpenForm(forms.Form):
    started_on = forms.DateField(label=_("Started"), widget=DateInput)
    aware_on = forms.DateField(label=_("Aware of the need (default: notification receipt)"),
                               required=False, widget=DateInput)
    notification_id = forms.TypedChoiceField(label=_("Notification"), required=False, coerce=int,
                                             empty_value=None, choices=[])

    def __init__(self, *args: object, notifications: list[tuple[int, str]] = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["notification_id"].choices = [("", "—"), *notifications]


class InvestigationConcludeForm(forms.Form):
    concluded_on = forms.DateField(label=_("Concluded"), widget=DateInput)


class FollowUpForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=DateInput)


class ReassignForm(forms.Form):
    caseworker_id = forms.TypedChoiceField(label=_("New caseworker"), coerce=int, choices=[])
    on = forms.DateField(label=_("From"), widget=DateInput)

    def __init__(self, *args: object, caseworkers: list[tuple[int, str]] = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["caseworker_id"].choices = list(caseworkers)


class VersionedForm(forms.Form):
    """A form editing an existing record: carries the record's version (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class VersionedAssessmentForm(AssessmentForm, VersionedForm):
    pass


class VersionedConcludeForm(InvestigationConcludeForm, VersionedForm):
    pass


class BreakdownForm(VersionedForm):
    end_date = forms.DateField(label=_("Placement ended (first day out)"), widget=DateInput)
    reason = forms.CharField(label=_("Why did the placement break down?"), widget=forms.Textarea,
                             required=False, max_length=4000)


class SupervisionVisitForm(forms.Form):
    visited_on = forms.DateField(label=_("Visited on"), widget=DateInput)


class ChildConversationForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=DateInput)
    kind = forms.ChoiceField(label=_("Present"), choices=labels.choices("conversation"))
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea, required=False, max_length=4000)


class PlanForm(forms.Form):
    made_on = forms.DateField(label=_("Plan made on"), widget=DateInput)
    goals = forms.CharField(label=_("Concrete goals (one per line)"), widget=forms.Textarea, required=False,
                            max_length=8000)

    def clean_goals(self) -> list[str]:
        return [line for line in self.cleaned_data["goals"].splitlines() if line.strip()]


class PlanEditForm(PlanForm, VersionedForm):
    pass


class ComplaintForm(forms.Form):
    received_on = forms.DateField(label=_("Complaint received"), widget=DateInput)
    reassessed_on = forms.DateField(label=_("Re-assessed by the municipality"), required=False, widget=DateInput)
    municipality_upheld = forms.NullBooleanField(label=_("Municipality kept its decision"), required=False)
    appeals_outcome = forms.ChoiceField(label=_("Appeals board outcome"), required=False,
                                        choices=[("", "—"), *labels.choices("appeals_outcome")])


class CaseCloseForm(forms.Form):
    closed_on = forms.DateField(label=_("Case closed on (default: today)"), required=False, widget=DateInput)
    reason = forms.CharField(label=_("Why is the case closed?"), widget=forms.Textarea, required=False,
                             max_length=4000)


class CaseReopenForm(forms.Form):
    reason = forms.CharField(label=_("Why is the case reopened?"), widget=forms.Textarea, required=False,
                             max_length=4000)


# --- My day and the team's caseloads (#15 items 2-3) ---------------------------------------


def _set_choices(field: forms.Field, choices: list[tuple[object, object]]) -> None:
    field.choices = choices  # type: ignore[attr-defined]  # a ChoiceField (django-stubs types it Field)


def options_html(field: BoundField) -> SafeString:
    """The ``<option>`` elements of a choice field with its value (or values) selected, built in
    one pass: a team's child list has hundreds of options, and the widget renders each through a
    template (tenfold slower), a template loop each through several tags. An empty value selects
    the option whose value is ``""`` ("All")."""
    value = field.value()
    chosen = {"" if v is None else str(v) for v in (value if isinstance(value, list | tuple) else [value])}
    return format_html_join("", '<option value="{}"{}>{}</option>',
                            ((v, SELECTED if str(v) in chosen else "", label)
                             for v, label in field.field.choices))  # type: ignore[attr-defined]


SELECTED = mark_safe(" selected")  # a constant attribute, no input in it


class MyDayFilterForm(forms.Form):
    """My day's filters, as GET parameters; an unknown value is a form error, never a 500."""

    child = forms.TypedChoiceField(label=_("Child"), coerce=int, required=False, empty_value=None)
    duty = forms.ChoiceField(label=_("Kind of duty"), required=False)
    source = forms.ChoiceField(label=_("Legal source"), required=False)
    caseworker = forms.TypedChoiceField(label=_("Caseworker"), coerce=int, required=False, empty_value=None)

    def __init__(self, data: QueryDict | None, *, children: list[tuple[int, str]], duties: list[tuple[str, str]],
                 sources: list[tuple[str, str]], caseworkers: list[tuple[int, str]] | None = None) -> None:
        super().__init__(data)
        every = ("", _("All"))
        _set_choices(self.fields["child"], [every, *children])
        _set_choices(self.fields["duty"], [every, *duties])
        _set_choices(self.fields["source"], [every, *sources])
        if caseworkers is None:
            del self.fields["caseworker"]
        else:
            _set_choices(self.fields["caseworker"], [every, *caseworkers])


class TeamReassignForm(forms.Form):
    """Several children of the team to one caseworker post, from one day."""

    children = forms.TypedMultipleChoiceField(label=_("Children"), coerce=int,
                                              widget=forms.SelectMultiple(attrs={"size": 10}))
    caseworker_id = forms.TypedChoiceField(label=_("New caseworker"), coerce=int, choices=[])
    on = forms.DateField(label=_("From"), widget=DateInput)
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, data: QueryDict | None, *, initial: dict[str, object], children: list[tuple[int, str]],
                 caseworkers: list[tuple[int, str]]) -> None:
        super().__init__(data, initial=initial)
        _set_choices(self.fields["children"], list(children))
        _set_choices(self.fields["caseworker_id"], list(caseworkers))
