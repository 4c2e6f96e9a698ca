from django import forms

from community.models import NotificationSettings
from community.services.notifications import SETTINGS_FIELDS


class NotificationSettingsForm(forms.ModelForm):
    class Meta:
        model = NotificationSettings
        fields = list(SETTINGS_FIELDS)  # what the service lets a teacher change
        labels = {
            "mentions": "When someone @mentions me",
            "replies": "When someone replies in a thread I follow",
            "reactions": "When someone reacts to my post",
            "invites": "When a moderator adds me to a space",
            "sessions": "Reminders of sessions I'm going to",
            "email_mentions": "Email me when someone @mentions me",
            "email_sessions": "Email me session reminders",
            "inquiry": "Nudges about my inquiry cycles",
            "email_inquiry": "Email me nudges about my inquiry cycles",
            "digest": "Email digest",
        }
        help_texts = {
            "email_mentions": "One email per mention, sent to your verified primary address.",
            "sessions": "15 minutes before a live session you said you'd be at.",
            "email_sessions": "15 minutes before a live session you said you'd be at.",
            "inquiry": "One gentle reminder when a cycle has had no step for two weeks.",
            "email_inquiry": "One gentle reminder when a cycle has had no step for two weeks.",
            "digest": "A summary of the notifications you haven’t read yet. "
            "It is only sent when there is something new.",
        }
        widgets = {"digest": forms.RadioSelect}

    IN_APP = ["mentions", "replies", "reactions", "invites", "sessions", "inquiry"]
    BY_EMAIL = ["email_mentions", "email_sessions", "email_inquiry", "digest"]

    def in_app_fields(self):
        return [self[name] for name in self.IN_APP]

    def email_fields(self):
        return [self[name] for name in self.BY_EMAIL]
