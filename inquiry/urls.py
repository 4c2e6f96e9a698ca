from django.urls import path

from inquiry import views

app_name = "inquiry"

# tests/test_permissions.py holds every pattern here to a row of outcomes per role.
urlpatterns = [
    path("record/", views.record, name="record"),
    path("record/new/", views.entry_add, name="entry-add"),
    path("record/<int:pk>/edit/", views.entry_edit, name="entry-edit"),
]
