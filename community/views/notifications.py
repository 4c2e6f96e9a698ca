"""Views: see community/urls.py. (Scaffold: being written by a helper.)"""

from django.http import HttpResponse
from django.urls import path


def _todo(request, **kwargs):
    return HttpResponse("todo")


urlpatterns = [
    path("notifications/", _todo, name="notifications"),
    path("notifications/settings/", _todo, name="notification-settings"),
]
