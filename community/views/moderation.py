"""Views: see community/urls.py. (Scaffold: being written by a helper.)"""

from django.http import HttpResponse
from django.urls import path


def _todo(request, **kwargs):
    return HttpResponse("todo")


urlpatterns = [
    path("moderation/", _todo, name="queue"),
]
