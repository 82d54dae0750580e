"""Forms of the account pages: they parse input; the services decide."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

UserModel = get_user_model()


class OrganizationCreateForm(forms.Form):
    name = forms.CharField(label=_("Organization name"), max_length=200)
    slug = forms.CharField(
        label=_("Web address"),
        max_length=50,
        help_text=_("Lowercase letters, digits and hyphens, e.g. acme. It appears in links."),
    )


class InvitationAcceptForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=150)
    password = forms.CharField(
        label=_("Choose a password"), strip=False, widget=forms.PasswordInput
    )
    password_again = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("password") and data.get("password_again") != data.get("password"):
            self.add_error("password_again", ValidationError(_("The two passwords differ.")))
        return data


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError beside the matching fields (else on top)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)


class LuodiPasswordResetForm(PasswordResetForm):
    """Also reaches active accounts that never had a password (added by an admin or the
    API without one): the emailed link is how they choose their first password."""

    def get_users(self, email: str):  # type: ignore[no-untyped-def]
        email_field = UserModel.get_email_field_name()
        return UserModel._default_manager.filter(
            **{f"{email_field}__iexact": email, "is_active": True}
        )
