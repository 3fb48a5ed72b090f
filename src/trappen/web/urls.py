"""URL map of the web layer."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from trappen.web.pages import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="pages/login.html",
                                                redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("overview/", views.overview, name="overview"),
    path("children/", views.my_children, name="my_children"),
    path("children/<int:child_id>/", views.child_detail, name="child_detail"),
    path("children/<int:child_id>/interventions/new/", views.intervention_new, name="intervention_new"),
    path("episodes/<int:episode_id>/end/", views.intervention_stop, name="intervention_stop"),
    path("", include("trappen.web.casework.urls")),
    path("", include("trappen.web.journal.urls")),
    path("api/v1/", include("trappen.web.api.urls")),
    path("dashboards/", include("trappen.web.dashboards.urls")),
    path("investments/", include("trappen.web.investments.urls")),
    path("economics/", include("trappen.web.economics.urls")),
    path("goals/", include("trappen.web.goals.urls")),
    path("reports/", include("trappen.web.reports.urls")),
    path("forecasts/", include("trappen.web.forecasts.urls")),
    path("evaluation/", include("trappen.web.evaluation.urls")),
    path("security/", include("trappen.web.security.urls")),
    path("audit/", include("trappen.web.audit.urls")),
    path("dst/", include("trappen.web.dst.urls")),
    path("national/", include("trappen.web.national.urls")),
    path("users/", include("trappen.web.accounts.urls")),
    path("approvals/", include("trappen.web.approvals.urls")),
    path("collaboration/", include("trappen.web.collaboration.urls")),
    path("offers/", include("trappen.web.offers.urls")),
]

# Error pages in the layout, translated (trappen.web.pages.errors); the 500 page needs no database.
handler404 = "trappen.web.pages.errors.page_not_found"
handler403 = "trappen.web.pages.errors.permission_denied"
handler500 = "trappen.web.pages.errors.server_error"
