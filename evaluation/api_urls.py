from django.urls import path

from . import api

urlpatterns = [
    path("v1/indicator-values/", api.IndicatorValuesView.as_view(), name="api-indicator-values"),
]
