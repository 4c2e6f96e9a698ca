from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods

from community import hooks, queries, rules, services
from community.forms import ProfileForm, SchoolForm, SchoolSearchForm
from community.models import Post, Profile, School


@require_GET
def home(request):
    if not request.user.is_authenticated:
        return render(request, "community/landing.html", queries.landing_figures())
    profile = services.ensure_profile(user=request.user)
    if not profile.is_onboarded:
        return redirect("community:profile-edit", username=request.user.username)
    return render(request, "community/home.html", queries.home_for(profile))


@require_GET
def admin_login(request):
    """/admin/login/ (it replaces the admin's own form): staff log in through the site's
    login like everyone, rate-limited and with a verified email, then go on to `next`."""
    if request.user.is_active and request.user.is_staff:
        return redirect("admin:index")
    if request.user.is_authenticated:
        raise PermissionDenied  # not staff: the login page would only send them back here
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"))


@login_required
@require_GET
def profile_detail(request, username):
    profile = get_object_or_404(
        Profile.objects.visible_to(request.user).for_cards(), user__username__iexact=username
    )
    recent_posts = (
        Post.objects.visible_to(request.user)
        .filter(author=profile.user, hidden_at__isnull=True, deleted_at__isnull=True)
        .select_related("thread__space")
        .order_by("-created_at")[:5]
    )
    return render(
        request,
        "community/profile_detail.html",
        {
            "profile": profile,
            "can_edit": rules.can_edit_profile(request.user, profile),
            "recent_posts": recent_posts,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request, username):
    profile = get_object_or_404(
        Profile.objects.visible_to(request.user).select_related("user"),
        user__username__iexact=username,
    )
    if not rules.can_edit_profile(request.user, profile):
        raise PermissionDenied("You can only edit your own profile.")
    onboarding = not profile.is_onboarded
    if request.method == "POST":
        form = ProfileForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            services.update_profile(
                actor=request.user,
                profile=profile,
                display_name=data["display_name"],
                username=data["username"],
                school=data["school"],
                career_stage=data["career_stage"],
                phases=data["phases"],
                subjects=data["subjects"],
                timezone_name=data["timezone"],
                bio=data["bio"],
            )
            messages.success(
                request, "Welcome to Staffroom!" if onboarding else "Your profile is saved."
            )
            return redirect(profile)
    else:
        form = ProfileForm(initial=ProfileForm.initial_for(profile), user=request.user)
    return render(
        request,
        "community/profile_form.html",
        {"form": form, "profile": profile, "onboarding": onboarding},
    )


@login_required
@require_GET
def school_list(request):
    form = SchoolSearchForm(request.GET or None)
    schools = School.objects.visible_to(request.user).with_member_count()
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            schools = schools.filter(Q(name__icontains=data["q"]) | Q(town__icontains=data["q"]))
        if data["country"]:
            schools = schools.filter(country=data["country"])
        if data["phase"]:
            schools = schools.filter(phase=data["phase"])
    page = Paginator(schools.order_by("name", "pk"), 24).get_page(request.GET.get("page"))
    return render(
        request,
        "community/school_list.html",
        {"form": form, "page": page, "can_add_school": rules.can_add_school(request.user)},
    )


@login_required
@require_GET
def school_detail(request, slug):
    school = get_object_or_404(School.objects.visible_to(request.user), slug=slug)
    members = Profile.objects.visible_to(request.user).for_cards().filter(school=school)
    page = Paginator(members.order_by("display_name", "pk"), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "community/school_detail.html",
        {
            "school": school,
            "page": page,
            "school_sections": hooks.school_sections(school, request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def school_create(request):
    if not rules.can_add_school(request.user):
        raise PermissionDenied
    form = SchoolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        school = services.create_school(
            actor=request.user,
            name=data["name"],
            country=data["country"],
            town=data["town"],
            timezone_name=data["timezone"],
            phase=data["phase"],
        )
        messages.success(request, f"{school.name} is in the directory. Choose it on your profile.")
        return redirect(school)
    return render(request, "community/school_form.html", {"form": form})


urlpatterns = [
    path("people/<str:username>/", profile_detail, name="profile"),
    path("people/<str:username>/edit/", profile_edit, name="profile-edit"),
    path("schools/", school_list, name="schools"),
    path("schools/new/", school_create, name="school-create"),
    path("schools/<slug:slug>/", school_detail, name="school"),
]
