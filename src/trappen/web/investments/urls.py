"""Investment case pages."""

from django.urls import path

from trappen.web.investments import views

urlpatterns = [
    path("", views.case_list, name="investment_list"),
    path("new/", views.case_new, name="investment_new"),
    path("compare/", views.case_compare, name="investment_compare"),
    path("<int:case_id>/", views.case_detail, name="investment_detail"),
    path("<int:case_id>/edit/", views.case_edit, name="investment_edit"),
    path("<int:case_id>/copy/", views.case_copy, name="investment_copy"),
    path("<int:case_id>/adopt/", views.case_adopt, name="investment_adopt"),
    path("<int:case_id>/workbook.xlsx", views.case_workbook, name="investment_xlsx"),
    path("<int:case_id>/summary.pdf", views.case_pdf, name="investment_pdf"),
]
