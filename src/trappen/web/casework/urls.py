"""Casework pages."""

from django.urls import path

from trappen.web.casework import day_views, views

urlpatterns = [
    path("my-day/", day_views.my_day_page, name="my_day"),
    path("team/", day_views.team_page, name="team"),
    path("children/<int:child_id>/casework/", views.child_casework, name="child_casework"),
    path("children/<int:child_id>/notifications/new/", views.notification_new, name="notification_new"),
    path("notify/", views.partner_notify, name="partner_notify"),
    path("notify/sent/", views.partner_notifications, name="partner_notifications"),
    path("notifications/<int:notification_id>/assess/", views.notification_assess_page,
         name="notification_assess"),
    path("children/<int:child_id>/investigations/new/", views.investigation_new, name="investigation_new"),
    path("investigations/<int:investigation_id>/conclude/", views.investigation_conclude_page,
         name="investigation_conclude"),
    path("episodes/<int:episode_id>/follow-ups/new/", views.follow_up_new, name="follow_up_new"),
    path("children/<int:child_id>/reassign/", views.reassign_page, name="child_reassign"),
    path("episodes/<int:episode_id>/breakdown/", views.placement_breakdown_page, name="placement_breakdown"),
    path("episodes/<int:episode_id>/supervision-visits/new/", views.supervision_visit_new,
         name="supervision_visit_new"),
    path("children/<int:child_id>/conversations/new/", views.child_conversation_new,
         name="child_conversation_new"),
    path("children/<int:child_id>/plan/", views.plan_page, name="child_plan"),
    path("children/<int:child_id>/complaints/new/", views.complaint_new, name="complaint_new"),
    path("children/<int:child_id>/close/", views.case_close_page, name="case_close"),
    path("children/<int:child_id>/reopen/", views.case_reopen_page, name="case_reopen"),
]
