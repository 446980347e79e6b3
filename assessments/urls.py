from django.urls import path

from . import views

app_name = "assessments"

urlpatterns = [
    path("", views.home, name="home"),
    path("quiz/<int:pk>/start/", views.start, name="start"),
    path("attempt/<int:pk>/", views.attempt_page, name="attempt"),
    path("attempt/<int:pk>/save/", views.save, name="save"),
    path("attempt/<int:pk>/submit/", views.submit, name="submit"),
    path("attempt/<int:pk>/result/", views.result, name="result"),
    path("surveys/<int:pk>/", views.survey, name="survey"),
    path("surveys/results/", views.survey_results, name="survey_results"),
    path("results/pre-post.csv", views.pre_post_csv, name="pre_post_csv"),
    path("grading/", views.grading, name="grading"),
    path("grading/<int:pk>/", views.grade, name="grade"),
]
