from django.urls import path

from . import views

app_name = "learning"
urlpatterns = [
    path("", views.my_learning, name="my_learning"),
    path("courses/<int:page_id>/enrol/", views.enrol, name="enrol"),
    path("lessons/<int:page_id>/complete/", views.complete_lesson, name="complete_lesson"),
    path("enrolments/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("notifications/read/", views.read_notifications, name="read_notifications"),
    path("assign/", views.assign, name="assign"),
    path("assign/jobs/<int:pk>/", views.assignment_job, name="assignment_job"),
    path("rules/<int:pk>/stop/", views.stop_rule, name="stop_rule"),
    path("roster/", views.roster, name="roster"),
]
