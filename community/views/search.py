"""Search, tag pages and the public Atom feeds of network spaces."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_GET, require_safe

from community import queries_search
from community.models import Space, Tag


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search for",
        max_length=200,
        required=False,
        widget=forms.SearchInput,
        help_text='Quote a phrase ("number bonds"); a minus leaves a word out (-ks3).',
    )
    space = forms.CharField(label="Space", required=False, widget=forms.Select)
    tag = forms.CharField(label="Tag", max_length=41, required=False)
    author = forms.CharField(label="Author’s handle", max_length=31, required=False)

    def __init__(self, *args, space_choices, **kwargs):
        super().__init__(*args, **kwargs)
        # A plain CharField: a slug that is not among the choices (a space the viewer
        # cannot see) must find nothing, not say "invalid choice".
        self.fields["space"].widget.choices = [("", "All spaces"), *space_choices]

    def clean_tag(self):
        return self.cleaned_data["tag"].strip().lstrip("#").lower()


@login_required
@require_GET
def search(request):
    form = SearchForm(request.GET or None, space_choices=queries_search.space_choices(request.user))
    context = {"form": form, "q": "", "page": None}
    if form.is_valid() and form.cleaned_data["q"].strip():
        data = form.cleaned_data
        context["q"] = data["q"].strip()
        context.update(
            queries_search.search_page(
                request.user,
                q=context["q"],
                space=data["space"],
                tag=data["tag"],
                author=data["author"].strip(),
                page_number=request.GET.get("page"),
            )
        )
        query = request.GET.copy()
        query.pop("page", None)
        context["query"] = query.urlencode()
    return render(request, "community/search/search.html", context)


@login_required
@require_GET
def tag(request, name):
    tag = get_object_or_404(Tag, name=name.lower())
    page = queries_search.tag_page(request.user, tag, request.GET.get("page"))
    # A tag used only where the viewer cannot read is as unknown as one never used.
    if not page.paginator.count:
        raise Http404("No such tag.")
    return render(request, "community/search/tag.html", {"tag": tag, "page": page})


class SpaceFeed(Feed):
    """Fetched by feed readers without a login, so it exists for network spaces only and
    carries only titles, authors' display names, links and opening posts."""

    feed_type = Atom1Feed

    def get_object(self, request, slug):
        return get_object_or_404(Space, slug=slug, kind=Space.Kind.NETWORK)

    def title(self, space):
        return f"{space.name} · Staffroom"

    def link(self, space):
        return space.get_absolute_url()

    def subtitle(self, space):
        return f"The latest threads in {space.name}"

    def items(self, space):
        return queries_search.feed_threads(space)

    def item_title(self, thread):
        return thread.title

    def item_link(self, thread):
        return thread.get_absolute_url()

    def item_description(self, thread):
        return thread.opening_html

    def item_author_name(self, thread):
        profile = getattr(thread.author, "profile", None)
        return profile.display_name if profile else thread.author.username

    def item_pubdate(self, thread):
        return thread.created_at

    def item_updateddate(self, thread):
        return thread.last_activity_at


urlpatterns = [
    path("search/", search, name="search"),
    path("tags/<slug:name>/", tag, name="tag"),
    path("s/<slug:slug>/feed/", require_safe(SpaceFeed()), name="space-feed"),
]
