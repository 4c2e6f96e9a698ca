from django.urls import path

from community import views

app_name = "community"

urlpatterns = [
    path("people/<str:username>/", views.profile_detail, name="profile"),
    path("people/<str:username>/edit/", views.profile_edit, name="profile-edit"),
    path("schools/", views.school_list, name="schools"),
    path("schools/new/", views.school_create, name="school-create"),
    path("schools/<slug:slug>/", views.school_detail, name="school"),
]
