from django.urls import path

from . import views

app_name = "evaluation"

urlpatterns = [
    path("", views.home, name="home"),
    path("indicators/", views.indicators, name="indicators"),
    path("indicators/<str:code>/", views.indicator_detail, name="indicator"),
    path("import/", views.import_upload, name="import"),
    path("import/<int:pk>/", views.import_status, name="import_status"),
    path("studies/new/", views.study_new, name="study_new"),
    path("studies/<int:pk>/", views.study_detail, name="study"),
    path("studies/<int:pk>/run/", views.study_run, name="study_run"),
    path("studies/<int:pk>/report.pdf", views.study_pdf, name="study_pdf"),
    path("studies/<int:pk>/report.xlsx", views.study_xlsx, name="study_xlsx"),
    path("studies/<int:pk>/panel.csv", views.study_panel, name="study_panel"),
]
