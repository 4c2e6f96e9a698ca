from django.contrib import admin
from django.urls import include, path

from community.views import accounts as community_views

# Staff log in through allauth's login (rate-limited), never the admin's own form.
admin.site.login = community_views.admin_login

urlpatterns = [
    path("", community_views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("live/", include("realtime.urls")),
    path("", include("inquiry.urls")),
    path("", include("community.urls")),
]
