"""Loading what a view acts on: through visible_to, so what the viewer can't see is a 404."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404

from community.models import Post, Space, Thread


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
