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
