"""Casework forms: parse and shape input; the services validate it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from trappen.register.schema import ASSESSMENT_OUTCOMES, NOTIFIER_KINDS


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"


class NotificationForm(forms.Form):
    received_at = forms.DateTimeField(label=_("Received"), widget=DateTimeInput)
    notifier_kind = forms.ChoiceField(label=_("Notifier"), choices=[(k, k) for k in NOTIFIER_KINDS])


class AssessmentForm(forms.Form):
    assessed_at = forms.DateTimeField(label=_("Assessed"), widget=DateTimeInput)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[(k, k) for k in ASSESSMENT_OUTCOMES])


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
