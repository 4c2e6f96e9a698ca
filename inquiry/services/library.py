"""Every write to the micro-learning library: drafting a module and its resources, sending
it for review, staff publishing it (which opens its discussion thread) or sending it back
with a note, and a teacher starting and completing it (the minutes go to their record)."""

import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from community import rules as community_rules
from community.markdown import render_markdown
from community.models import Notification, Phase, Space, Subject, Tag, User
from community.services import forum
from community.services.notifications import notify
from community.slugs import unique_slug
from inquiry import rules, search, uploads
from inquiry.models import CurriculumArea, Module, ModuleCompletion, ModuleResource, RecordEntry
from inquiry.models.library import MAX_MODULE_MINUTES, RESOURCE_MAX_BYTES
from inquiry.services import completion as course_progress
from inquiry.services.record import SystemEntry, write_entries

TITLE_MAX_LENGTH = 120
SUMMARY_MAX_LENGTH = 300
BODY_MAX_LENGTH = 20_000
PROMPT_MAX_LENGTH = 2_000
NOTE_MAX_LENGTH = 2_000
MAX_TAGS = 10
TAG_MAX_LENGTH = 40
MAX_RESOURCES = 10
# The library's own URLs under /library/: a module may not take one of these as its slug.
RESERVED_SLUGS = frozenset({"new", "mine", "review"})
LIBRARY_SPACE = "Micro-learning library"
LIBRARY_SPACE_DESCRIPTION = (
    "Discussion of the modules in the Staffroom library: what you tried in class, what "
    "happened, and what you would change. Each module has its own thread."
)


@dataclass(frozen=True)
class ModuleDraft:
    """What a teacher writes for a module (a form's cleaned data, or a test's)."""

    title: str
    summary: str
    body: str
    minutes: int | None
    try_prompt: str
    phases: list[Phase] = field(default_factory=list)
    subjects: list[Subject] = field(default_factory=list)
    areas: list[CurriculumArea] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)  # free words; slugified here


@dataclass(frozen=True)
class _Clean:
    title: str
    summary: str
    body_html: str
    try_prompt_html: str
    tags: list[str]


def tag_names(words: list[str]) -> list[str]:
    """Free tags as community.Tag names: slugified, lower case, once each, in order."""
    names = (slugify(word.strip().lstrip("#"))[:TAG_MAX_LENGTH].strip("-") for word in words)
    return list(dict.fromkeys(name for name in names if name))


def _clean(draft: ModuleDraft) -> _Clean:
    """The draft checked field by field: one ValidationError naming every problem."""
    errors: dict[str, list[str]] = {}
    title = " ".join(draft.title.split())
    summary = " ".join(draft.summary.split())
    if not title:
        errors["title"] = ["Give the module a title."]
    elif len(title) > TITLE_MAX_LENGTH:
        errors["title"] = [f"A title is at most {TITLE_MAX_LENGTH} characters."]
    if not summary:
        errors["summary"] = ["Say in a sentence or two what the module is about."]
    elif len(summary) > SUMMARY_MAX_LENGTH:
        errors["summary"] = [f"A summary is at most {SUMMARY_MAX_LENGTH} characters."]
    minutes = draft.minutes
    if minutes is None or not 1 <= minutes <= MAX_MODULE_MINUTES:
        errors["minutes"] = [
            f"A module takes from 1 to {MAX_MODULE_MINUTES} minutes: keep it short, or split it."
        ]
    html = {}
    for name, limit, missing in (
        ("body", BODY_MAX_LENGTH, "Write the module itself."),
        ("try_prompt", PROMPT_MAX_LENGTH, "Suggest one thing to try in class."),
    ):
        text = getattr(draft, name)
        if not text.strip():
            errors[name] = [missing]
            continue
        try:
            html[name] = render_markdown(text, max_length=limit).html
        except ValidationError as error:
            errors[name] = error.messages
    tags = tag_names(draft.tags)
    if len(tags) > MAX_TAGS:
        errors["tags"] = [f"At most {MAX_TAGS} tags."]
    if errors:
        raise ValidationError(errors)
    return _Clean(title, summary, html["body"], html["try_prompt"], tags)


def _unique_slug(title: str) -> str:
    return unique_slug(Module, slugify(title)[:120].strip("-") or "module", reserved=RESERVED_SLUGS)


def _tag_vocabulary(draft: ModuleDraft, clean: _Clean, module: Module) -> None:
    module.phases.set(draft.phases)
    module.subjects.set(draft.subjects)
    module.areas.set(draft.areas)
    module.tags.set([Tag.objects.get_or_create(name=name)[0] for name in clean.tags])


def _index_on_commit(module: Module) -> None:
    # After the commit: the search vector is computed from the committed row, and a write
    # that rolls back leaves nothing to index.
    transaction.on_commit(lambda: search.index_module(module.pk))


@transaction.atomic
def create_module(*, actor: User, draft: ModuleDraft, now=None) -> Module:
    """A new draft, only the author's (and staff's) to see until it is published."""
    if not rules.can_draft_module(actor):
        raise PermissionDenied("Your account can't draft modules right now.")
    clean = _clean(draft)
    now = now or timezone.now()
    module = Module.objects.create(
        title=clean.title,
        slug=_unique_slug(clean.title),
        summary=clean.summary,
        body=draft.body,
        body_html=clean.body_html,
        minutes=draft.minutes,
        try_prompt=draft.try_prompt,
        try_prompt_html=clean.try_prompt_html,
        author=actor,
        created_at=now,
        updated_at=now,
    )
    _tag_vocabulary(draft, clean, module)
    _index_on_commit(module)
    return module


@transaction.atomic
def update_module(*, actor: User, module: Module, draft: ModuleDraft, now=None) -> Module:
    """The author edits their draft (a module waiting for review goes back to draft: what
    staff would review has changed); staff correct any module, which keeps its status."""
    module = Module.objects.select_for_update().get(pk=module.pk)
    if not rules.can_edit_module(actor, module):
        raise PermissionDenied("Only the module's author edits it, until it is published.")
    clean = _clean(draft)
    module.title, module.summary = clean.title, clean.summary
    module.body, module.body_html = draft.body, clean.body_html
    module.try_prompt, module.try_prompt_html = draft.try_prompt, clean.try_prompt_html
    module.minutes = draft.minutes
    module.updated_at = now or timezone.now()
    fields = ["title", "summary", "body", "body_html", "try_prompt", "try_prompt_html"]
    fields += ["minutes", "updated_at"]
    if module.status == Module.Status.IN_REVIEW and module.author_id == actor.pk:
        module.status = Module.Status.DRAFT
        fields.append("status")
    module.save(update_fields=fields)
    _tag_vocabulary(draft, clean, module)
    _index_on_commit(module)
    return module


def add_resource(
    *, actor: User, module: Module, kind: str, title: str, upload, now=None
) -> ModuleResource:
    """Attach a file, its type checked by its content (inquiry.uploads). A refused file
    leaves nothing behind: no row, and no file on disk."""
    if not rules.can_edit_module(actor, module):
        raise PermissionDenied("Only the module's author adds resources, until it is published.")
    errors: dict[str, list[str]] = {}
    if kind not in ModuleResource.Kind.values:
        errors["kind"] = ["Choose what kind of resource this is."]
    title = " ".join(title.split())
    if len(title) > TITLE_MAX_LENGTH:
        errors["title"] = [f"A title is at most {TITLE_MAX_LENGTH} characters."]
    if module.resources.count() >= MAX_RESOURCES:
        errors["file"] = [f"A module has at most {MAX_RESOURCES} resources: remove one first."]
    if errors:
        raise ValidationError(errors)
    checked = uploads.check_upload(
        upload, accept=uploads.ACCEPTED, max_bytes=RESOURCE_MAX_BYTES, field="file"
    )
    now = now or timezone.now()
    resource = ModuleResource(
        module=module,
        kind=kind,
        title=title or checked.original_name.rsplit(".", 1)[0][:TITLE_MAX_LENGTH] or "Resource",
        content_type=checked.kind.content_type,
        size=checked.size,
        original_name=checked.original_name,
        uploaded_by=actor,
        created_at=now,
    )
    # The file is written first (the row names it); if the row then fails, the file goes.
    resource.file.save(checked.content.name, checked.content, save=False)
    try:
        with transaction.atomic():
            resource.save()
            Module.objects.filter(pk=module.pk).update(updated_at=now)
    except BaseException:
        resource.file.storage.delete(resource.file.name)
        raise
    return resource


@transaction.atomic
def remove_resource(*, actor: User, resource: ModuleResource) -> None:
    if not rules.can_edit_module(actor, resource.module):
        raise PermissionDenied("Only the module's author removes its resources.")
    storage, name = resource.file.storage, resource.file.name
    resource.delete()
    # The file goes once the row is gone for good; a rollback keeps both.
    transaction.on_commit(lambda: storage.delete(name), robust=True)


@transaction.atomic
def submit_module(*, actor: User, module: Module, now=None) -> Module:
    """The author sends their draft to staff for review."""
    module = Module.objects.select_for_update().get(pk=module.pk)
    if module.status == Module.Status.IN_REVIEW and module.author_id == actor.pk:
        raise ValidationError("This module is already waiting for review.")
    if not rules.can_submit_module(actor, module):
        raise PermissionDenied("Only the author sends their draft for review.")
    module.status = Module.Status.IN_REVIEW
    module.submitted_at = now or timezone.now()
    module.save(update_fields=["status", "submitted_at"])
    return module


def _check_review(actor: User, module: Module) -> None:
    if not rules.can_review_modules(actor):
        raise PermissionDenied("Only network staff review modules.")
    if module.status == Module.Status.PUBLISHED:
        raise ValidationError("This module is already published.")
    if module.status != Module.Status.IN_REVIEW:
        raise ValidationError("This module is a draft: its author has not sent it for review.")


def _discussion_space(actor: User, module: Module) -> Space:
    """The first network space that shares one of the module's subjects, else the
    library's own space (opened by the first staff member to need it)."""
    space = (
        Space.objects.filter(kind=Space.Kind.NETWORK, subjects__modules=module)
        .order_by("name", "pk")
        .first()
    )
    if space is None:
        space = Space.objects.filter(kind=Space.Kind.NETWORK, name=LIBRARY_SPACE).first()
    if space is None:
        space = forum.create_space(
            actor=actor,
            name=LIBRARY_SPACE,
            kind=Space.Kind.NETWORK,
            description=LIBRARY_SPACE_DESCRIPTION,
        )
    return space


def _literal(text: str) -> str:
    """Plain text inside the Markdown of the opening post: its brackets, stars and hashes
    stay characters (a title with "]" must not break the link, nor "#" make a tag)."""
    return re.sub(r"([\\`*_{}\[\]()>#+\-.!])", r"\\\1", text)


def _open_discussion(actor: User, module: Module):
    space = _discussion_space(actor, module)
    if community_rules.membership_in(actor, space) is None:
        # Staff post the opening post, and posting is for members: they join the space.
        forum.join_space(actor=actor, space=space)
    tags = " ".join(f"#{tag.name}" for tag in module.tags.all())
    # The title sits inside the link's text, where a "@name" mentions nobody; the summary
    # stays on the module's page (as text here, its "@name"s would notify people).
    link = f"[{_literal(module.title)}]({module.get_absolute_url()})"
    body = (
        f"A new module in the library: **{link}** ({module.minutes} minutes).\n\n"
        "Tried it in class? Say what you did, what you noticed and what you would change."
        + (f"\n\n{tags}" if tags else "")
    )
    # Not rate-limited: a reviewer publishing a queue of modules is not posting quickly,
    # and publish_module opens one thread per module, once.
    thread = forum.start_thread(
        actor=actor, space=space, title=module.title, body=body, rate_limited=False
    )
    # The author hears about replies to their module's discussion.
    if community_rules.can_follow(module.author, thread):
        forum.follow_thread(actor=module.author, thread=thread)
    return thread


@transaction.atomic
def publish_module(*, actor: User, module: Module, now=None) -> Module:
    """Staff publish a module waiting for review: every teacher sees it, its discussion
    thread opens, and the author is told. Publishing twice is refused (one thread)."""
    module = Module.objects.select_for_update().select_related("author").get(pk=module.pk)
    _check_review(actor, module)
    module.status = Module.Status.PUBLISHED
    module.published_at = now or timezone.now()
    module.published_by = actor
    module.review_note = module.review_note_html = ""
    if module.thread_id is None:
        module.thread = _open_discussion(actor, module)
    module.save(
        update_fields=[
            "status",
            "published_at",
            "published_by",
            "review_note",
            "review_note_html",
            "thread",
        ]
    )
    notify(
        users=[module.author],
        kind=Notification.Kind.MODERATION,
        actor=actor,
        text=f"{actor.profile.display_name} published your module “{module.title}”.",
        link=module.get_absolute_url(),
    )
    _index_on_commit(module)
    return module


@transaction.atomic
def send_back_module(*, actor: User, module: Module, note: str) -> Module:
    """Staff return a module to its author as a draft, with a note saying what to change."""
    module = Module.objects.select_for_update().select_related("author").get(pk=module.pk)
    _check_review(actor, module)
    note = note.strip()
    if not note:
        raise ValidationError({"note": ["Say what the author could change."]})
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError({"note": [f"A note is at most {NOTE_MAX_LENGTH} characters."]})
    module.status = Module.Status.DRAFT
    module.review_note = note
    module.review_note_html = render_markdown(note, max_length=NOTE_MAX_LENGTH).html
    module.save(update_fields=["status", "review_note", "review_note_html"])
    notify(
        users=[module.author],
        kind=Notification.Kind.MODERATION,
        actor=actor,
        text=f"{actor.profile.display_name} sent your module “{module.title}” back with a note.",
        link=module.get_absolute_url(),
    )
    return module


def _completion(actor: User, module: Module, now) -> ModuleCompletion:
    if not rules.can_take_module(actor, module):
        raise PermissionDenied("Only published modules can be started.")
    completion, _ = ModuleCompletion.objects.get_or_create(
        user=actor, module=module, defaults={"started_at": now}
    )
    return completion


@transaction.atomic
def start_module(*, actor: User, module: Module, now=None) -> ModuleCompletion:
    """Note that the teacher has started (starting again changes nothing)."""
    return _completion(actor, module, now or timezone.now())


@transaction.atomic
def complete_module(*, actor: User, module: Module, now=None) -> ModuleCompletion:
    """The teacher finished the module: it counts once, and its minutes go to their CPD
    record. The entry is written in this transaction, not on commit: it is a row beside
    the completion, and both or neither should be kept (write_entries makes one entry
    per source, however often this runs)."""
    now = now or timezone.now()
    completion = ModuleCompletion.objects.select_for_update().get(
        pk=_completion(actor, module, now).pk
    )
    if completion.completed_at is None:
        completion.completed_at = now
        completion.save(update_fields=["completed_at"])
    write_entries(
        [
            SystemEntry(
                user_id=actor.pk,
                kind=RecordEntry.Kind.MODULE,
                title=module.title,
                occurred_at=completion.completed_at,
                minutes=module.minutes,
                url=module.get_absolute_url(),
                source=f"module:{module.pk}",
                details=f"{module.minutes}-minute module",
            )
        ],
        now=now,
    )
    # It may be the last part of a course unit (or of the course).
    cohorts = course_progress.cohorts_with_module(actor, module)
    transaction.on_commit(lambda: course_progress.progress_changed(user=actor, cohorts=cohorts))
    return completion
