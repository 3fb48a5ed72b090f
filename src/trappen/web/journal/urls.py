"""Pages of the case journal and decisions."""

from django.urls import path

from trappen.web.journal import views

urlpatterns = [
    path("children/<int:child_id>/journal/", views.journal_list, name="journal_list"),
    path("children/<int:child_id>/journal/new/", views.journal_note_new, name="journal_note_new"),
    path("journal/notes/<int:note_id>/correct/", views.journal_note_correct, name="journal_note_correct"),
    path("children/<int:child_id>/decisions/new/", views.decision_new, name="decision_new"),
    path("decisions/<int:decision_id>/", views.decision_detail, name="decision_detail"),
]
