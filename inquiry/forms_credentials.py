"""Credential forms: validation only (the services and inquiry.credentials decide)."""

from django import forms

from inquiry.credentials import MAX_INPUT
from inquiry.services.credentials import REASON_MAX_LENGTH


class VerifyForm(forms.Form):
    token = forms.CharField(
        label="Paste the credential",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "autocomplete": "off"}),
        help_text="The VC-JWT (three parts joined by dots) or the credential's JSON.",
    )
    upload = forms.FileField(
        label="Or choose its file",
        required=False,
        help_text="The .jwt or .json file you were given.",
    )

    def clean(self):
        data = super().clean()
        upload = data.get("upload")
        if upload:
            if upload.size > MAX_INPUT:
                raise forms.ValidationError("That file is far larger than any credential.")
            try:
                data["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError as error:
                raise forms.ValidationError(
                    "That file is not a credential (it is not text)."
                ) from error
        else:
            data["text"] = data.get("token") or ""
        if not data["text"].strip():
            raise forms.ValidationError("Paste a credential, or choose its file.")
        return data


class RevokeForm(forms.Form):
    reason = forms.CharField(
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The holder sees this; the public page shows only that it was revoked, and when.",
    )
