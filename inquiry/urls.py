from inquiry.views import record

app_name = "inquiry"

# tests/test_permissions.py holds every pattern here to a row of outcomes per role.
urlpatterns = [
    *record.urlpatterns,
]
