"""Credentials: the holder's list and downloads, hiding and showing, a facilitator's
revocation, and the public side (no login): a credential's page, the verification form,
the issuer's profile and the published keys.

A credential's page and downloads go through Credential.objects.visible_to: a hidden
credential (or a wrong address) is a 404 that says it is not public."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inquiry import credentials as documents
from inquiry import rules
from inquiry.forms_credentials import RevokeForm, VerifyForm
from inquiry.models import Credential
from inquiry.services import credentials as service


def _find(request, uid) -> Credential | None:
    return (
        Credential.objects.visible_to(request.user)
        .select_related("cohort__course", "user__profile", "revoked_by__profile")
        .filter(uid=uid)
        .first()
    )


def _get(request, uid) -> Credential:
    credential = _find(request, uid)
    if credential is None:
        raise Http404("No such credential, or it is not public.")
    return credential


def _document(request, uid) -> Credential:
    """The signed documents, which name the holder: gone once they erased their account."""
    credential = _get(request, uid)
    if credential.erased_at is not None:
        raise Http404("Its holder closed their account: Staffroom no longer keeps it whole.")
    return credential


def _public_json(data: dict, **kwargs) -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False}, **kwargs)
    # Published for anyone to verify with, from anywhere (a verifier's page included).
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_GET
def keys_json(request):
    return _public_json(documents.jwks())


@require_GET
def issuer_json(request):
    return _public_json(documents.issuer_profile())


@login_required
@require_GET
def credential_list(request):
    credentials = Credential.objects.filter(user=request.user).select_related("cohort__course")
    return render(request, "inquiry/credentials/list.html", {"credentials": credentials})


@require_GET
def credential_detail(request, uid):
    credential = _find(request, uid)
    if credential is None:
        return render(request, "inquiry/credentials/not_public.html", status=404)
    context = {
        "credential": credential,
        "check": documents.record_check(credential),
        "is_holder": credential.user_id == request.user.pk,
        "can_hide": rules.can_hide_credential(request.user, credential),
        "can_revoke": rules.can_revoke_credential(request.user, credential),
        "can_facilitate": rules.can_facilitate(request.user, credential.cohort),
    }
    return render(request, "inquiry/credentials/detail.html", context)


def _download_name(credential: Credential, extension: str) -> str:
    return f"staffroom-{credential.cohort.course.slug}-{credential.uid}.{extension}"


@require_GET
def credential_json(request, uid):
    credential = _document(request, uid)
    response = JsonResponse(
        credential.payload, json_dumps_params={"indent": 2, "ensure_ascii": False}
    )
    response["Content-Disposition"] = f'attachment; filename="{_download_name(credential, "json")}"'
    return response


@require_GET
def credential_jwt(request, uid):
    credential = _document(request, uid)
    response = HttpResponse(credential.jwt, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_download_name(credential, "jwt")}"'
    return response


def _back(request, credential):
    """To the list when the button was there, else to the credential's page."""
    mine = reverse("inquiry:credentials")
    return redirect(mine if request.POST.get("next") == mine else credential.get_absolute_url())


@login_required
@require_POST
def credential_hide(request, uid):
    credential = _get(request, uid)
    service.hide_credential(actor=request.user, credential=credential)
    messages.success(request, "Hidden: its page now says it is not public. Only you see it.")
    return _back(request, credential)


@login_required
@require_POST
def credential_show(request, uid):
    credential = _get(request, uid)
    service.show_credential(actor=request.user, credential=credential)
    messages.success(request, "Public again: anyone with its address can check it.")
    return _back(request, credential)


@login_required
@require_http_methods(["GET", "POST"])
def credential_revoke(request, uid):
    credential = _get(request, uid)
    if not rules.can_facilitate(request.user, credential.cohort):
        raise PermissionDenied("Only the cohort's facilitators revoke its credentials.")
    if credential.revoked_at:
        messages.info(request, "This credential is already revoked.")
        return redirect(credential)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service.revoke_credential(
                actor=request.user, credential=credential, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            for message in error.message_dict.get("reason", error.messages):
                form.add_error("reason", message)
        else:
            messages.success(request, "Revoked: verification now says so, with the date.")
            return redirect(credential)
    return render(
        request, "inquiry/credentials/revoke.html", {"credential": credential, "form": form}
    )


@require_http_methods(["GET", "POST"])
def verify(request):
    """Paste or upload a VC-JWT or the credential's JSON: valid, revoked, tampered or not
    a Staffroom credential. A check, not a write: the result is the POST's page."""
    form = VerifyForm(request.POST or None, request.FILES or None)
    check = None
    if request.method == "POST" and form.is_valid():
        check = documents.verify_text(form.cleaned_data["text"])
    return render(request, "inquiry/credentials/verify.html", {"form": form, "check": check})


urlpatterns = [
    path("credentials/", credential_list, name="credentials"),
    path("credentials/keys.json", keys_json, name="credential-keys"),
    path("credentials/issuer.json", issuer_json, name="credential-issuer"),
    path("credentials/verify/", verify, name="credential-verify"),
    path("credentials/<uuid:uid>/", credential_detail, name="credential"),
    path("credentials/<uuid:uid>/credential.json", credential_json, name="credential-json"),
    path("credentials/<uuid:uid>/credential.jwt", credential_jwt, name="credential-jwt"),
    path("credentials/<uuid:uid>/hide/", credential_hide, name="credential-hide"),
    path("credentials/<uuid:uid>/show/", credential_show, name="credential-show"),
    path("credentials/<uuid:uid>/revoke/", credential_revoke, name="credential-revoke"),
]
