"""The micro-learning library: browsing, a module's page, drafting and the review queue.
Thin views over inquiry.services.library; what a viewer can't see is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.http import urlencode
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inquiry import queries_library as queries
from inquiry import rules, uploads
from inquiry.forms_library import LibraryFilterForm, ModuleForm, ResourceForm, SendBackForm
from inquiry.models import Module, ModuleCompletion
from inquiry.services import library as services


def _visible_module(request, slug) -> Module:
    return get_object_or_404(Module.objects.visible_to(request.user), slug=slug)


def _editable_module(request, slug) -> Module:
    module = _visible_module(request, slug)
    if not rules.can_edit_module(request.user, module):
        raise PermissionDenied("Only the module's author edits it, until it is published.")
    return module


def _refused(request, module, error: ValidationError):
    messages.error(request, " ".join(error.messages))
    return redirect(module)


# --- Browsing -------------------------------------------------------------------------------


@login_required
@require_GET
def library(request):
    form = LibraryFilterForm(request.GET)
    filters = form.filters()
    page = Paginator(queries.library(request.user, filters=filters), queries.PER_PAGE).get_page(
        request.GET.get("page")
    )
    # The filters ride along in the pager's links.
    query = urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])
    return render(
        request,
        "inquiry/library/library.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "filtered": bool(filters.keys() - {"sort"}),
            "can_draft": rules.can_draft_module(request.user),
            "can_review": rules.can_review_modules(request.user),
        },
    )


@login_required
@require_GET
def library_mine(request):
    page = Paginator(queries.mine(request.user), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "inquiry/library/mine.html",
        {"page": page, "can_draft": rules.can_draft_module(request.user)},
    )


@login_required
@require_GET
def review_queue(request):
    if not rules.can_review_modules(request.user):
        raise PermissionDenied("Network staff review modules.")
    page = Paginator(queries.review_queue(), 50).get_page(request.GET.get("page"))
    return render(request, "inquiry/library/review.html", {"page": page})


@login_required
@require_GET
def module_detail(request, slug):
    module = get_object_or_404(queries.module_page(request.user, slug))
    user = request.user
    return render(
        request,
        "inquiry/library/module.html",
        {
            "module": module,
            "resources": queries.label_resources(module.resources.all()),
            "completion": ModuleCompletion.objects.filter(user=user, module=module).first(),
            "thread": queries.discussion(user, module),
            "can_edit": rules.can_edit_module(user, module),
            "can_submit": rules.can_submit_module(user, module),
            "can_publish": rules.can_publish_module(user, module),
            "can_take": rules.can_take_module(user, module),
            "is_author": module.author_id == user.pk,
        },
    )


# --- Drafting -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def module_create(request):
    if not rules.can_draft_module(request.user):
        raise PermissionDenied("Your account can't draft modules right now.")
    form = ModuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            module = services.create_module(actor=request.user, draft=form.draft())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                "Your draft is saved. Add resources if it has any, then send it for review.",
            )
            return redirect("inquiry:module-edit", slug=module.slug)
    return render(request, "inquiry/library/module_form.html", {"form": form, "module": None})


@login_required
@require_http_methods(["GET", "POST"])
def module_edit(request, slug):
    module = _editable_module(request, slug)
    form = ModuleForm(request.POST or None, initial=ModuleForm.initial_for(module))
    if request.method == "POST" and form.is_valid():
        try:
            updated = services.update_module(actor=request.user, module=module, draft=form.draft())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            note = ""
            if module.status != updated.status:
                note = " It is a draft again: send it for review when it is ready."
            messages.success(request, "The module is saved." + note)
            return redirect(updated)
    return render(
        request,
        "inquiry/library/module_form.html",
        {
            "form": form,
            "module": module,
            "resources": queries.label_resources(module.resources.all()),
            "resource_form": ResourceForm(),
            "can_submit": rules.can_submit_module(request.user, module),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def resource_add(request, slug):
    module = _editable_module(request, slug)
    form = ResourceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_resource(
                actor=request.user,
                module=module,
                kind=data["kind"],
                title=data["title"],
                upload=data["file"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "The resource is added.")
            return redirect("inquiry:module-edit", slug=module.slug)
    return render(request, "inquiry/library/resource_form.html", {"form": form, "module": module})


@login_required
@require_POST
def resource_remove(request, slug, pk):
    module = _editable_module(request, slug)
    resource = get_object_or_404(module.resources.select_related("module"), pk=pk)
    services.remove_resource(actor=request.user, resource=resource)
    messages.success(request, f"“{resource.title}” is removed.")
    return redirect("inquiry:module-edit", slug=module.slug)


@login_required
@require_GET
def resource_file(request, slug, pk):
    """A module's file, for signed-in teachers who see the module: never a public URL. The
    browser is told the type we found in the content, not to guess another, and to run
    nothing in it; only images show in the page, the rest download."""
    module = _visible_module(request, slug)
    resource = get_object_or_404(module.resources, pk=pk)
    extension = resource.file.name.rsplit(".", 1)[-1] if "." in resource.file.name else "bin"
    return uploads.serve(
        resource.file,
        content_type=resource.content_type,
        filename=f"{slugify(resource.title) or 'resource'}.{extension}",
    )


# --- Review -------------------------------------------------------------------------------


@login_required
@require_POST
def module_submit(request, slug):
    module = _visible_module(request, slug)
    try:
        services.submit_module(actor=request.user, module=module)
    except ValidationError as error:
        return _refused(request, module, error)
    messages.success(request, "Sent for review. Staff will publish it or send it back with a note.")
    return redirect(module)


@login_required
@require_POST
def module_publish(request, slug):
    module = _visible_module(request, slug)
    try:
        services.publish_module(actor=request.user, module=module)
    except ValidationError as error:
        return _refused(request, module, error)
    messages.success(request, f"“{module.title}” is published and its discussion is open.")
    return redirect("inquiry:library-review")


@login_required
@require_http_methods(["GET", "POST"])
def module_send_back(request, slug):
    module = _visible_module(request, slug)
    if not rules.can_review_modules(request.user):
        raise PermissionDenied("Only network staff review modules.")
    form = SendBackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.send_back_module(
                actor=request.user, module=module, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"“{module.title}” is back with its author, with your note.")
            return redirect("inquiry:library-review")
    return render(request, "inquiry/library/send_back.html", {"form": form, "module": module})


# --- Taking a module --------------------------------------------------------------------------


@login_required
@require_POST
def module_start(request, slug):
    module = _visible_module(request, slug)
    services.start_module(actor=request.user, module=module)
    return redirect(module)


@login_required
@require_POST
def module_complete(request, slug):
    module = _visible_module(request, slug)
    services.complete_module(actor=request.user, module=module)
    messages.success(request, f"Marked complete: {module.minutes} minutes are in your CPD record.")
    return redirect(module)


urlpatterns = [
    path("library/", library, name="library"),
    path("library/new/", module_create, name="module-create"),
    path("library/mine/", library_mine, name="library-mine"),
    path("library/review/", review_queue, name="library-review"),
    path("library/<slug:slug>/", module_detail, name="module"),
    path("library/<slug:slug>/edit/", module_edit, name="module-edit"),
    path("library/<slug:slug>/resources/new/", resource_add, name="module-resource-add"),
    path(
        "library/<slug:slug>/resources/<int:pk>/remove/",
        resource_remove,
        name="module-resource-remove",
    ),
    path("library/<slug:slug>/files/<int:pk>/", resource_file, name="module-file"),
    path("library/<slug:slug>/submit/", module_submit, name="module-submit"),
    path("library/<slug:slug>/publish/", module_publish, name="module-publish"),
    path("library/<slug:slug>/send-back/", module_send_back, name="module-send-back"),
    path("library/<slug:slug>/start/", module_start, name="module-start"),
    path("library/<slug:slug>/complete/", module_complete, name="module-complete"),
]
