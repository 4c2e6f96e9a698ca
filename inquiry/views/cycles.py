"""Inquiry cycles: My inquiry, starting a cycle (with suggested modules), the cycle page,
its stages, plan, evidence, reflection, who sees it, sharing and feedback. Thin views
over inquiry.services.cycles; every cycle is loaded through visible_to (else 404)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from community import rules as community_rules
from community.views.common import field_errors
from inquiry import rules, uploads
from inquiry.forms_cycles import (
    AdvanceForm,
    EvidenceForm,
    FeedbackForm,
    PlanForm,
    ReflectionForm,
    ShareForm,
    StartForm,
    VisibilityForm,
)
from inquiry.models import Evidence, InquiryCycle, Module
from inquiry.models.cycles import REFLECTION_PROMPTS
from inquiry.queries_cycles import cycle_page, my_cycles, visible_cycles
from inquiry.search import suggest_modules
from inquiry.services import cycles as services
from realtime.validation import parse_id

Stage = InquiryCycle.Stage


def _visible(request, pk) -> InquiryCycle:
    return get_object_or_404(visible_cycles(request.user), pk=pk)


def _owned(request, pk) -> InquiryCycle:
    """A cycle the viewer may change: not visible → 404; someone else's → 403."""
    cycle = _visible(request, pk)
    if cycle.owner_id != request.user.pk:
        raise PermissionDenied("Only the teacher whose cycle this is can change it.")
    return cycle


# --- My inquiry and starting ----------------------------------------------------------------


@login_required
@require_GET
def cycle_list(request):
    current, finished = my_cycles(request.user)
    return render(request, "inquiry/cycles/list.html", {"current": current, "finished": finished})


def _suggestions(text: str):
    return suggest_modules(Module.objects.published(), text) if text.strip() else []


@login_required
@require_http_methods(["GET", "POST"])
def cycle_start(request):
    """From a module (?module=<slug>), after a finished cycle (?after=<id>), or blank; the
    "Suggest modules" button re-renders the form with three modules to pick from."""
    if not rules.can_start_cycle(request.user):
        raise PermissionDenied
    module = previous = None
    initial = {}
    if slug := request.GET.get("module"):
        module = get_object_or_404(Module.objects.published(), slug=slug)
        question = f"What happens when I try “{module.title}” with my class?"
        initial = {"module": module.slug, "focus_question": question}
    elif after := parse_id(request.GET.get("after", "")):
        previous = get_object_or_404(visible_cycles(request.user), pk=after)
        if not rules.can_start_next_cycle(request.user, previous):
            raise PermissionDenied("A next cycle follows on from one of your own finished cycles.")
        question = services.next_focus_question(previous)
        initial = {"previous": previous.pk, "focus_question": question}
    form = StartForm(request.POST or None, initial=initial)
    suggestions, suggesting = [], "suggest" in request.POST
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["previous"]:
            previous = get_object_or_404(visible_cycles(request.user), pk=data["previous"])
        if suggesting:
            suggestions = _suggestions(data["focus_question"])
        else:
            try:
                cycle = services.start_cycle(
                    actor=request.user,
                    focus_question=data["focus_question"],
                    module=data["module"],
                    previous=previous,
                )
            except ValidationError as error:
                field_errors(form, error)
            else:
                messages.success(request, "Your inquiry cycle has begun.")
                return redirect(cycle)
    context = {
        "form": form,
        "module": module,
        "previous": previous,
        "suggestions": suggestions,
        "chosen": request.POST.get("module", ""),
        "suggested": suggesting,
    }
    return render(request, "inquiry/cycles/start.html", context)


@login_required
@require_GET
def cycle_suggest(request):
    """The suggestions list alone, for the start page's script (the same template the
    page includes without JavaScript)."""
    text = request.GET.get("q", "")[:300]
    return render(
        request,
        "inquiry/cycles/_suggestions.html",
        {
            "suggestions": _suggestions(text),
            "chosen": request.GET.get("module", ""),
            "suggested": bool(text.strip()),
        },
    )


# --- The cycle page and its stages -----------------------------------------------------------


def _render_cycle(request, cycle, *, advance_form=None, status=200):
    context = cycle_page(cycle, request.user)
    user = request.user
    context.update(
        {
            "advance_form": advance_form or AdvanceForm(),
            "can_edit": rules.can_edit_cycle(user, cycle),
            "can_plan": rules.can_edit_plan(user, cycle),
            "can_add_evidence": rules.can_add_evidence(user, cycle),
            "can_reflect": rules.can_reflect(user, cycle),
            "can_share": rules.can_share_cycle(user, cycle),
            "can_set_visibility": rules.can_set_cycle_visibility(user, cycle),
            "can_give_feedback": cycle.thread_id is not None
            and rules.can_give_feedback(user, cycle),
            "can_start_next": rules.can_start_next_cycle(user, cycle),
            "prompts": [
                (prompt, getattr(cycle, f"{field}_html"))
                for field, prompt in REFLECTION_PROMPTS.items()
            ],
            "previous_stage": _previous_stage(cycle),
            "next_stage": _next_stage(cycle),
            # Forward from share only once it is shared (sharing is its own form).
            "show_forward": _next_stage(cycle) is not None
            and (cycle.stage != Stage.SHARE or cycle.thread_id is not None),
        }
    )
    return render(request, "inquiry/cycles/detail.html", context, status=status)


def _next_stage(cycle):
    order = services.ORDER
    here = order.index(Stage(cycle.stage))
    return order[here + 1] if here + 1 < len(order) else None


def _previous_stage(cycle):
    order = services.ORDER
    here = order.index(Stage(cycle.stage))
    if here == 0 or cycle.stage == Stage.DONE or cycle.thread_id:
        return None
    return order[here - 1]


@login_required
@require_GET
def cycle_detail(request, pk):
    return _render_cycle(request, _visible(request, pk))


@login_required
@require_POST
def cycle_advance(request, pk):
    cycle = _owned(request, pk)
    form = AdvanceForm(request.POST)
    if form.is_valid():
        try:
            services.advance(
                actor=request.user,
                cycle=cycle,
                to=form.cleaned_data["to"],
                minutes=form.cleaned_data["minutes"],
            )
        except ValidationError as error:
            field_errors(form, error)
        else:
            to = form.cleaned_data["to"]
            if to == Stage.DONE:
                messages.success(request, "Cycle finished. It's in your CPD record.")
            else:
                messages.success(request, f"Moved to {Stage(to).label.lower()}.")
            return redirect(cycle)
    return _render_cycle(request, cycle, advance_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def cycle_plan(request, pk):
    cycle = _owned(request, pk)
    if not rules.can_edit_plan(request.user, cycle):
        messages.error(request, "You plan the trial in the plan stage.")
        return redirect(cycle)
    initial = {
        "trial_class": cycle.trial_class,
        "trial_date": cycle.trial_date,
        "trial_what": cycle.trial_what,
        "trial_look_for": cycle.trial_look_for,
        "priority": cycle.priority_id,
    }
    priorities = services.priorities_for(request.user)
    form = PlanForm(request.POST or None, initial=initial, priorities=priorities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_plan(
                actor=request.user,
                cycle=cycle,
                plan=services.Plan(
                    trial_class=data["trial_class"],
                    trial_date=data["trial_date"],
                    trial_what=data["trial_what"],
                    trial_look_for=data["trial_look_for"],
                    priority=data.get("priority"),
                ),
            )
        except ValidationError as error:
            field_errors(form, error)
        else:
            messages.success(request, "Your trial plan is saved.")
            return redirect(cycle)
    return render(request, "inquiry/cycles/plan.html", {"cycle": cycle, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def evidence_add(request, pk):
    cycle = _owned(request, pk)
    if not rules.can_add_evidence(request.user, cycle):
        messages.error(request, "Evidence is added while you plan, try, reflect and share.")
        return redirect(cycle)
    form = EvidenceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_evidence(
                actor=request.user,
                cycle=cycle,
                kind=data["kind"],
                note=data["note"],
                upload=data["file"] if data["kind"] != "note" else None,
            )
        except ValidationError as error:
            field_errors(form, error)
        else:
            messages.success(request, "Evidence added.")
            return redirect(f"{cycle.get_absolute_url()}#evidence")
    return render(request, "inquiry/cycles/evidence_form.html", {"cycle": cycle, "form": form})


@login_required
@require_GET
def evidence_file(request, pk, eid):
    """A photo or file, to those who see the cycle: its sniffed type, never run by the
    browser (nosniff, a sandbox), downloaded unless it is an image."""
    cycle = _visible(request, pk)
    evidence = get_object_or_404(Evidence, pk=eid, cycle=cycle)
    if not evidence.file:
        raise Http404("That evidence is a note.")
    return uploads.serve(
        evidence.file,
        content_type=evidence.content_type,
        filename=evidence.original_name or evidence.file.name.rsplit("/", 1)[-1],
    )


@login_required
@require_POST
def evidence_delete(request, pk, eid):
    cycle = _owned(request, pk)
    evidence = get_object_or_404(Evidence, pk=eid, cycle=cycle)
    try:
        services.delete_evidence(actor=request.user, evidence=evidence)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Evidence removed.")
    return redirect(f"{cycle.get_absolute_url()}#evidence")


@login_required
@require_http_methods(["GET", "POST"])
def cycle_reflect(request, pk):
    cycle = _owned(request, pk)
    if not rules.can_reflect(request.user, cycle):
        messages.error(request, "You reflect once you have tried it, and before you share.")
        return redirect(cycle)
    initial = {field: getattr(cycle, field) for field in REFLECTION_PROMPTS}
    form = ReflectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_reflection(actor=request.user, cycle=cycle, answers=form.cleaned_data)
        except ValidationError as error:
            field_errors(form, error)
        else:
            messages.success(request, "Your reflection is saved.")
            return redirect(cycle)
    return render(request, "inquiry/cycles/reflect.html", {"cycle": cycle, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def cycle_visibility(request, pk):
    cycle = _owned(request, pk)
    spaces = services.spaces_for(request.user)
    initial = {"visibility": cycle.visibility, "space": cycle.space_id}
    form = VisibilityForm(request.POST or None, initial=initial, spaces=spaces)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_visibility(
                actor=request.user,
                cycle=cycle,
                visibility=form.cleaned_data["visibility"],
                space=form.cleaned_data["space"],
            )
        except ValidationError as error:
            field_errors(form, error)
        else:
            messages.success(request, "Saved: who sees this cycle.")
            return redirect(cycle)
    school = getattr(request.user.profile, "school", None)
    return render(
        request, "inquiry/cycles/visibility.html", {"cycle": cycle, "form": form, "school": school}
    )


def _postable_spaces(user):
    spaces = services.spaces_for(user)
    return spaces.filter(pk__in=[s.pk for s in spaces if community_rules.can_post(user, s)])


@login_required
@require_http_methods(["GET", "POST"])
def cycle_share(request, pk):
    cycle = _owned(request, pk)
    if not rules.can_share_cycle(request.user, cycle):
        messages.error(
            request,
            "This reflection is already shared."
            if cycle.thread_id
            else "You share once you reach the share stage.",
        )
        return redirect(cycle)
    spaces = _postable_spaces(request.user)
    form = ShareForm(request.POST or None, spaces=spaces)
    if request.method == "POST" and form.is_valid():
        try:
            services.share_cycle(actor=request.user, cycle=cycle, space=form.cleaned_data["space"])
        except ValidationError as error:
            field_errors(form, error)
        else:
            messages.success(
                request, "Shared. Feedback will appear on this page and in the thread."
            )
            return redirect(cycle)
    spaces = list(spaces)
    for space in spaces:
        space.reaches = services.reaches_members_of(cycle, space)
    return render(
        request, "inquiry/cycles/share.html", {"cycle": cycle, "form": form, "spaces": spaces}
    )


@login_required
@require_http_methods(["GET", "POST"])
def cycle_feedback(request, pk):
    cycle = _visible(request, pk)
    if not rules.can_give_feedback(request.user, cycle):
        raise PermissionDenied(
            "Feedback is for a shared cycle that isn't yours, in a space you can reply in."
        )
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.give_feedback(
                actor=request.user,
                cycle=cycle,
                warm=data["warm"],
                cool=data["cool"],
                minutes=data["minutes"] or 0,
            )
        except ValidationError as error:
            field_errors(form, error)
        else:
            messages.success(request, "Thank you: your feedback is posted in the thread.")
            return redirect(f"{cycle.get_absolute_url()}#feedback")
    return render(request, "inquiry/cycles/feedback.html", {"cycle": cycle, "form": form})


urlpatterns = [
    path("inquiry/", cycle_list, name="cycles"),
    path("inquiry/new/", cycle_start, name="cycle-start"),
    path("inquiry/suggest/", cycle_suggest, name="cycle-suggest"),
    path("inquiry/<int:pk>/", cycle_detail, name="cycle"),
    path("inquiry/<int:pk>/advance/", cycle_advance, name="cycle-advance"),
    path("inquiry/<int:pk>/plan/", cycle_plan, name="cycle-plan"),
    path("inquiry/<int:pk>/evidence/new/", evidence_add, name="cycle-evidence-add"),
    path("inquiry/<int:pk>/evidence/<int:eid>/", evidence_file, name="cycle-evidence"),
    path(
        "inquiry/<int:pk>/evidence/<int:eid>/delete/", evidence_delete, name="cycle-evidence-delete"
    ),
    path("inquiry/<int:pk>/reflect/", cycle_reflect, name="cycle-reflect"),
    path("inquiry/<int:pk>/visibility/", cycle_visibility, name="cycle-visibility"),
    path("inquiry/<int:pk>/share/", cycle_share, name="cycle-share"),
    path("inquiry/<int:pk>/feedback/", cycle_feedback, name="cycle-feedback"),
]
