import zoneinfo

from django.utils import timezone

from community.models import Profile, timezone_names

TIMEZONE_COOKIE = "tz"


class TimezoneMiddleware:
    """Show every time in the viewer's own timezone.

    Signed-in teachers get their profile's zone; visitors get the zone their browser
    reported in the `tz` cookie (set by static/js/site.js), else UTC.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # One query, reused by the page frame through request.profile.
        request.profile = None
        if request.user.is_authenticated:
            request.profile = Profile.objects.filter(user_id=request.user.pk).first()
        name = request.profile.timezone if request.profile else request.COOKIES.get(TIMEZONE_COOKIE)
        if name not in timezone_names():
            name = "UTC"
        request.timezone_name = name
        timezone.activate(zoneinfo.ZoneInfo(name))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
