from django.urls import path

from . import views

app_name = "people"
urlpatterns = [path("staff/", views.staff_list, name="staff")]
