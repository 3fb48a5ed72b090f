"""The decision form: approve or reject, a comment (required on reject; the service checks), and
the date of the committee's decision for a decision reserved for børn og unge-udvalget."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from trappen.web.pages.forms import DateInput

APPROVE, REJECT = "approve", "reject"


class ApprovalDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect,
                                 choices=[(APPROVE, _("Approve: start the intervention")),
                                          (REJECT, _("Reject: nothing starts"))])
    comment = forms.CharField(label=_("Comment (required when rejecting)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)

    def __init__(self, *args: Any, committee: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if committee:
            cast(forms.ChoiceField, self.fields["decision"]).choices = [
                (APPROVE, _("The committee approved: start the intervention")),
                (REJECT, _("The committee refused: nothing starts"))]
            self.fields["committee_decided_on"] = forms.DateField(
                label=_("Date of the committee's decision"), widget=DateInput)
