import zoneinfo

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html

register = template.Library()


@register.filter
def when(value, fmt="j M Y, H:i"):
    """A datetime in the viewer's timezone, with the zone named, in a <time> element."""
    if not value:
        return ""
    local = timezone.localtime(value)
    return format_html(
        '<time datetime="{}">{} {}</time>',
        value.isoformat(),
        date_format(local, fmt),
        local.tzname(),
    )


@register.filter
def local_now(zone_name):
    """The time now in a named zone, e.g. a colleague's: "16:47 EAT"."""
    try:
        local = timezone.now().astimezone(zoneinfo.ZoneInfo(zone_name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return ""
    return f"{date_format(local, 'H:i')} {local.tzname()}"
