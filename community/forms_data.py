"""Forms of the teacher's data pages: validation only; the services enforce the rules."""

from django import forms

DELETE_SHARED_LABEL = "Also delete my posts and chat messages in shared discussions"
DELETE_SHARED_HELP = (
    "Left unticked, they stay readable, signed “a former member”, so that the "
    "conversations you were part of still make sense. Ticked, their text is removed: each "
    "shows as deleted."
)


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="To be sure it is you.",
    )
    delete_shared = forms.BooleanField(
        required=False, label=DELETE_SHARED_LABEL, help_text=DELETE_SHARED_HELP
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password


class FindAccountForm(forms.Form):
    q = forms.CharField(label="Handle or email address", max_length=254)

    def clean_q(self):
        return self.cleaned_data["q"].strip().removeprefix("@")


class StaffEraseForm(forms.Form):
    confirm = forms.CharField(
        label="Type their handle to confirm",
        max_length=30,
        help_text="Only when they asked for it (by email or letter): this cannot be undone.",
    )
    delete_shared = forms.BooleanField(
        required=False,
        label="Also delete their posts and chat messages in shared discussions",
        help_text="Only if they asked for this too. Left unticked, they stay, signed “a "
        "former member”.",
    )

    def __init__(self, *args, target, **kwargs):
        super().__init__(*args, **kwargs)
        self.target = target

    def clean_confirm(self):
        handle = self.cleaned_data["confirm"].strip().removeprefix("@")
        if handle.lower() != self.target.username.lower():
            raise forms.ValidationError(f"Type @{self.target.username}'s handle exactly.")
        return handle
