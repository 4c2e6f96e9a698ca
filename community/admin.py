from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from community.models import Profile, School, User


@admin.register(User)
class StaffroomUserAdmin(UserAdmin):
    list_display = ["username", "email", "is_active", "is_staff", "date_joined"]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "town", "country", "phase", "timezone"]
    list_filter = ["phase", "country"]
    search_fields = ["name", "town"]
    prepopulated_fields = {"slug": ["name", "town"]}


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user", "school", "career_stage", "onboarded_at"]
    list_filter = ["career_stage", "phases"]
    search_fields = ["display_name", "user__username", "user__email"]
    raw_id_fields = ["user", "school"]
    readonly_fields = ["bio_html"]
