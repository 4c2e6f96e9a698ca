"""Loading what a view acts on: through visible_to, so what the viewer can't see is a 404."""

from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404

from community.models import Post, Space, Thread, User


def visible_space(request, slug) -> Space:
    return get_object_or_404(Space.objects.visible_to(request.user), slug=slug)


def visible_thread(request, pk) -> Thread:
    return get_object_or_404(
        Thread.objects.visible_to(request.user).select_related("space", "author__profile"), pk=pk
    )


def visible_post(request, pk) -> Post:
    return get_object_or_404(
        Post.objects.visible_to(request.user).select_related("thread__space", "author__profile"),
        pk=pk,
    )


def form_error(form, error) -> None:
    """Put a service's refusal on the form, where the person is looking."""
    form.add_error(None, error.messages if isinstance(error, ValidationError) else str(error))


def field_errors(form, error: ValidationError) -> None:
    """A service's refusal field by field, where it named fields the form has (the rest
    above the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def feed_reader(request, read_token) -> User:
    """Whose eyes a calendar feed is read with. Calendar apps send no cookies, so the
    address carries a signed token (`read_token(token)` gives its person's id, or raises
    BadSignature); a signed-in browser needs none. Anything else: 404, as for a feed that
    does not exist."""
    if token := request.GET.get("token"):
        try:
            return User.objects.select_related("profile").get(pk=read_token(token))
        except (signing.BadSignature, User.DoesNotExist):
            raise Http404("No such feed.") from None
    if request.user.is_authenticated:
        return request.user
    raise Http404("No such feed.")
