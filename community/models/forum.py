"""Spaces, their members, threads and posts, and what readers do with posts."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from community.models.accounts import Phase, School, Subject

POSTS_PER_PAGE = 20


class SpaceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Network spaces: every signed-in teacher. School spaces: that school's teachers
        and invited members. Private spaces: their members only. Staff see every space
        (safeguarding reports can come from anywhere)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff:
            return self
        my_school = School.objects.filter(profiles__user=user).values("pk")
        member_of = Membership.objects.active().filter(user=user).values("space_id")
        return self.filter(
            Q(kind=Space.Kind.NETWORK)
            | Q(kind=Space.Kind.SCHOOL, school__in=my_school)
            | Q(pk__in=member_of)
        )


class Space(models.Model):
    class Kind(models.TextChoices):
        NETWORK = "network", "Open to the whole network"
        SCHOOL = "school", "A school's own space"
        PRIVATE = "private", "Private: invited members only"

    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=90, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.NETWORK)
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.CASCADE, related_name="spaces"
    )
    description = models.TextField(blank=True)
    description_html = models.TextField(blank=True, editable=False)
    phases = models.ManyToManyField(Phase, blank=True, related_name="spaces")
    subjects = models.ManyToManyField(Subject, blank=True, related_name="spaces")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = SpaceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="school", school__isnull=False) | ~Q(kind="school"),
                name="space_school_kind_has_school",
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("community:space", kwargs={"slug": self.slug})

    @staticmethod
    def slug_base(name: str) -> str:
        return slugify(name)[:80] or "space"


class MembershipQuerySet(models.QuerySet):
    def active(self, at=None):
        """Members now: not removed, or their removal has run out."""
        at = at or timezone.now()
        return self.filter(Q(removed_until__isnull=True) | Q(removed_until__lte=at))


class Membership(models.Model):
    """A person's place in a space, and their role there (roles are per space)."""

    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        MODERATOR = "moderator", "Moderator"

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(default=timezone.now)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Facts set by moderators; "muted now" and "removed now" are derived from the clock.
    muted_until = models.DateTimeField(null=True, blank=True)
    removed_until = models.DateTimeField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["space", "user"], name="membership_unique"),
        ]

    def __str__(self):
        return f"{self.user} in {self.space} ({self.role})"

    def is_muted(self, at=None) -> bool:
        return self.muted_until is not None and self.muted_until > (at or timezone.now())

    def is_removed(self, at=None) -> bool:
        return self.removed_until is not None and self.removed_until > (at or timezone.now())


class Tag(models.Model):
    name = models.SlugField(max_length=40, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"#{self.name}"

    def get_absolute_url(self):
        return reverse("community:tag", kwargs={"name": self.name})


class ThreadQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(space__in=Space.objects.visible_to(user), deleted_at__isnull=True)


class Thread(models.Model):
    class Kind(models.TextChoices):
        DISCUSSION = "discussion", "Discussion"
        QUESTION = "question", "Question"

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="threads")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="threads"
    )
    title = models.CharField(max_length=160)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.DISCUSSION)
    created_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Numbers handed out so far (the opening post is 1); allocated under a row lock so
    # that post numbers are gapless and permalinks stable.
    post_count = models.PositiveIntegerField(default=0)
    pinned_at = models.DateTimeField(null=True, blank=True)
    locked_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    answer = models.ForeignKey(
        "Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="threads")

    objects = ThreadQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["space", "-pinned_at", "-last_activity_at"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("community:thread", kwargs={"pk": self.pk, "slug": self.slug})

    @property
    def slug(self) -> str:
        return slugify(self.title)[:60] or "thread"

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def is_pinned(self) -> bool:
        return self.pinned_at is not None

    @property
    def reply_count(self) -> int:
        return max(self.post_count - 1, 0)


class PostQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Posts in threads the viewer may see. Hidden and deleted posts stay in the list
        (as a placeholder, so numbering and permalinks hold); their text is withheld by
        the template through rules.can_read_post."""
        return self.filter(thread__in=Thread.objects.visible_to(user))


class Post(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    number = models.PositiveIntegerField()  # 1 is the opening post
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="posts"
    )
    body = models.TextField()
    body_html = models.TextField(editable=False)
    quote_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(max_length=200, blank=True)
    # The composer's one-time token: the same form submitted twice makes one post.
    client_token = models.CharField(max_length=64, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="posts")
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="mentioned_in"
    )
    # PostgreSQL only: the post's words (its thread's title too, for the opening post),
    # kept by a database trigger (migration 0005_search_vector) and GIN-indexed, so that
    # search ranks stored vectors instead of parsing every matching post again. Unused
    # (always empty) on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["thread", "number"]
        constraints = [
            models.UniqueConstraint(fields=["thread", "number"], name="post_number_unique"),
            models.UniqueConstraint(
                fields=["author", "client_token"],
                condition=~Q(client_token=""),
                name="post_client_token_unique",
            ),
        ]

    def __str__(self):
        return f"{self.thread} #{self.number}"

    def get_absolute_url(self):
        return reverse("community:post", kwargs={"pk": self.pk})

    @property
    def page_number(self) -> int:
        return (self.number - 1) // POSTS_PER_PAGE + 1

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class PostRevision(models.Model):
    """The text a post had before an edit (the edit history moderators can read)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Revision of {self.post} by {self.edited_by}"


class Reaction(models.Model):
    class Kind(models.TextChoices):
        HELPFUL = "helpful", "Helpful"
        THANKS = "thanks", "Thanks"
        TRIED_IT = "tried_it", "Tried it in class"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reactions"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "user", "kind"], name="reaction_unique"),
        ]

    def __str__(self):
        return f"{self.user} → {self.post}: {self.kind}"


class Follow(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "thread"], name="follow_unique"),
        ]

    def __str__(self):
        return f"{self.user} follows {self.thread}"


class ReadState(models.Model):
    """How far a reader has read a thread: the highest post number they have seen."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="read_states"
    )
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="read_states")
    last_read_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "thread"], name="readstate_unique"),
        ]

    def __str__(self):
        return f"{self.user} read {self.thread} to #{self.last_read_number}"
