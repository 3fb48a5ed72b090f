"""Forms of the case journal and decisions. Text fields are optional here so the service's
refusal (naming the field and value) is the one error a user sees."""

from __future__ import annotations

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from trappen.decisions import legal_bases
from trappen.web.casework.forms import DateInput
from trappen.web.journal.models import DecisionKind, NoteKind
from trappen.web.labels import episode_label
from trappen.web.register import models as m


class JournalNoteForm(forms.Form):
    noted_on = forms.DateField(label=_("Date"), widget=DateInput)
    kind = forms.ChoiceField(label=_("Kind of note"), required=False, choices=[("", "—"), *NoteKind.choices])
    text = forms.CharField(label=_("Note text"), widget=forms.Textarea, required=False)


class JournalNoteCorrectForm(JournalNoteForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class DecisionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Decision"), choices=DecisionKind.choices)
    episode = forms.TypedChoiceField(label=_("Intervention concerned"), required=False, coerce=int,
                                     empty_value=None)
    decided_on = forms.DateField(label=_("Decided on"), widget=DateInput)
    legal_basis = forms.ChoiceField(label=_("Legal basis"))
    grounds = forms.CharField(label=_("Grounds (begrundelse)"), widget=forms.Textarea, required=False,
                              help_text=_("Required: why the decision was made, with the facts and "
                                          "assessments it rests on."))

    def __init__(self, *args: object, child: m.Child, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        language = (get_language() or "da")[:2]
        episodes = child.episodes.order_by("-start_date", "-pk")
        self.fields["episode"].choices = [("", "—"), *((e.pk, episode_label(e)) for e in episodes)]  # type: ignore[attr-defined]
        self.fields["legal_basis"].choices = [(b.code, b.name(language)) for b in legal_bases().values()]  # type: ignore[attr-defined]
