"""Addresses made from names: `base`, else `base-2`, `base-3`... whichever is free."""

from django.db import models


def unique_slug(model: type[models.Model], base: str, *, reserved=frozenset()) -> str:
    """The first of `base`, `base-2`, ... that no row of `model` has as its slug and that
    is not one of the `reserved` words (paths a URL pattern already uses)."""
    slug, n = base, 1
    while slug in reserved or model.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug
