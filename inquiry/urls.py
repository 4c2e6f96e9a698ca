from inquiry.views import (
    cohorts,
    courses,
    credentials,
    cycles,
    facilitation,
    library,
    priorities,
    record,
)

app_name = "inquiry"

# tests/test_permissions.py holds every pattern here to a row of outcomes per role.
urlpatterns = [
    # First: its courses/mine/ and cohorts/join/ come before any courses/<slug>/.
    *cohorts.urlpatterns,
    *courses.urlpatterns,
    *record.urlpatterns,
    *cycles.urlpatterns,
    *priorities.urlpatterns,
    *library.urlpatterns,
    *facilitation.urlpatterns,
    *credentials.urlpatterns,
]
