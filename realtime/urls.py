from django.urls import path

from realtime import views

app_name = "realtime"

urlpatterns = [path("history/", views.history, name="history")]
