def viewer(request):
    """What every page's frame needs to know about the viewer (loaded by TimezoneMiddleware)."""
    return {
        "viewer_profile": getattr(request, "profile", None),
        "viewer_timezone": getattr(request, "timezone_name", "UTC"),
    }
