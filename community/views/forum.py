"""Views: see community/urls.py. (Scaffold: being written now.)"""

from django.http import HttpResponse
from django.urls import path


def _todo(request, **kwargs):
    return HttpResponse("todo")


urlpatterns = [
    path("spaces/", _todo, name="spaces"),
    path("s/<slug:slug>/", _todo, name="space"),
    path("t/<int:pk>/<slug:slug>/", _todo, name="thread"),
    path("p/<int:pk>/", _todo, name="post"),
]
