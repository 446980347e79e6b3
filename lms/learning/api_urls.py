from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView
from rest_framework.routers import SimpleRouter

from . import api

v1 = SimpleRouter()
v1.register("enrolments", api.EnrolmentViewSet, basename="api-enrolment")

urlpatterns = [
    path(
        "schema/",
        SpectacularAPIView.as_view(),
        name="api-schema",
    ),
    path("docs/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-docs"),
    path("v1/", include(v1.urls)),
]
