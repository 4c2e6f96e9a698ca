"""School improvement priorities (e.g. oracy): a school's leads publish them, teachers
link their cycles to one, and the school page shows the cycles shared with the school."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class SchoolPriority(models.Model):
    school = models.ForeignKey(
        "community.School", on_delete=models.CASCADE, related_name="priorities"
    )
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    description_html = models.TextField(blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)  # no longer a priority

    class Meta:
        ordering = ["school", "title"]
        verbose_name_plural = "school priorities"

    def __str__(self):
        return self.title
