from community.views import (
    accounts,
    chat,
    data,
    forum,
    moderation,
    notifications,
    search,
    sessions,
)

app_name = "community"

# Each views module owns its URL patterns; tests/test_permissions.py holds every one of
# them to a row of expected outcomes per role.
urlpatterns = [
    *accounts.urlpatterns,
    *forum.urlpatterns,
    *chat.urlpatterns,
    *data.urlpatterns,
    *moderation.urlpatterns,
    *notifications.urlpatterns,
    *search.urlpatterns,
    *sessions.urlpatterns,
]
