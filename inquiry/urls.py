from inquiry.views import cycles, library, priorities, record

app_name = "inquiry"

# tests/test_permissions.py holds every pattern here to a row of outcomes per role.
urlpatterns = [
    *record.urlpatterns,
    *cycles.urlpatterns,
    *priorities.urlpatterns,
    *library.urlpatterns,
]
