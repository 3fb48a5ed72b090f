"""Economics pages: prices, budget against actual, accounts to steps."""

from django.urls import path

from trappen.web.economics import views

urlpatterns = [
    path("", views.economics_index, name="economics"),
    path("prices/", views.prices, name="economics_prices"),
    path("budget/", views.budget, name="economics_budget"),
    path("accounts/", views.accounts, name="economics_accounts"),
]
