"""Pages of the collaboration around the child."""

from django.urls import path

from trappen.web.collaboration import views, views_links, views_minutes

urlpatterns = [
    path("", views.collab_day, name="collab_day"),
    path("overview/", views.overview, name="collab_overview"),
    path("consultations/", views.consultations, name="collab_consultations"),
    path("children/<int:child_id>/", views.child_page, name="collab_child"),
    path("children/<int:child_id>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("children/<int:child_id>/consents/", views.consents, name="collab_consents"),
    path("children/<int:child_id>/step1/new/", views.step1_new, name="step1_new"),
    path("children/<int:child_id>/network/", views.network, name="collab_network"),
    path("children/<int:child_id>/goals/", views.goals, name="collab_goals"),
    path("meetings/<int:meeting_id>/", views.meeting_detail, name="meeting_detail"),
    path("actions/<int:action_id>/done/", views.action_done, name="action_done"),
    path("consents/<int:consent_id>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("bases/<int:basis_id>/end/", views.basis_end, name="basis_end"),
    path("notifications/<int:notification_id>/consultations/", views_links.notification_consultations,
         name="notification_consultations"),
    path("minutes/", views_minutes.minutes_list, name="collab_minutes"),
    path("minutes/<int:dispatch_id>/", views_minutes.minutes_detail, name="minutes_detail"),
]
