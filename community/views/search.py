"""Views: see community/urls.py. (Scaffold: being written by a helper.)"""

from django.http import HttpResponse
from django.urls import path


def _todo(request, **kwargs):
    return HttpResponse("todo")


urlpatterns = [
    path("search/", _todo, name="search"),
    path("tags/<slug:name>/", _todo, name="tag"),
]
