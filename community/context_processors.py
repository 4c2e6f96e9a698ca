from django.utils.functional import SimpleLazyObject

from community.models import Membership, Notification


def viewer(request):
    """What every page's frame needs to know about the viewer. The profile comes from
    TimezoneMiddleware; the counts are lazy, so a page that doesn't show them pays nothing."""
    user = request.user
    context = {
        "viewer_profile": getattr(request, "profile", None),
        "viewer_timezone": getattr(request, "timezone_name", "UTC"),
    }
    if user.is_authenticated:
        context["viewer_unread_count"] = SimpleLazyObject(
            lambda: Notification.objects.filter(user=user, read_at__isnull=True).count()
        )
        context["viewer_moderates"] = SimpleLazyObject(
            lambda: (
                user.is_staff
                or Membership.objects.active()
                .filter(user=user, role=Membership.Role.MODERATOR)
                .exists()
            )
        )
    return context
