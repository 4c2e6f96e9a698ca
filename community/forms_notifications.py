from django import forms

from community.models import NotificationSettings


class NotificationSettingsForm(forms.ModelForm):
    class Meta:
        model = NotificationSettings
        fields = ["mentions", "replies", "reactions", "invites", "email_mentions", "digest"]
        labels = {
            "mentions": "When someone @mentions me",
            "replies": "When someone replies in a thread I follow",
            "reactions": "When someone reacts to my post",
            "invites": "When a moderator adds me to a space",
            "email_mentions": "Email me when someone @mentions me",
            "digest": "Email digest",
        }
        help_texts = {
            "email_mentions": "One email per mention, sent to your verified primary address.",
            "digest": "A summary of the notifications you haven’t read yet. "
            "It is only sent when there is something new.",
        }
        widgets = {"digest": forms.RadioSelect}

    IN_APP = ["mentions", "replies", "reactions", "invites"]
    BY_EMAIL = ["email_mentions", "digest"]

    def in_app_fields(self):
        return [self[name] for name in self.IN_APP]

    def email_fields(self):
        return [self[name] for name in self.BY_EMAIL]
