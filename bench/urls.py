from __future__ import annotations

from django.urls import path

from bench import views

app_name = "bench"
urlpatterns = [
    path("constant/", views.constant, name="constant"),
    path("query/<int:pk>/", views.one_query, name="one_query"),
    path("layout/<int:pk>/", views.layout, name="layout"),
]
