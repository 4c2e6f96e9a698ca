"""Demo course for `make run`: "Talk for learning", four blended units written by Grace
Okafor (deputy head at Riverside, who facilitates), its pre-learning taken from the demo
library. A cohort of 12 is half-way through: units 1 and 2 are behind them (their
sessions marked on the register), unit 3 is open with its session in a few days, unit 4
opens later. Progress varies: some have finished units 1 and 2, some are part-way, two
sent apologies, and Ben has done nothing since he joined. An earlier, smaller cohort
finished months ago: three of its four members completed the course and hold its
credential.

Everything goes through the services, with `now` in the past where the story needs its
history. Run again, it adds nothing: the course is there already."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from community.models import ChatMessage, Post, Thread, User
from community.services import chat, forum
from inquiry.models import (
    Attendance,
    Cohort,
    CohortUnit,
    Course,
    InquiryCycle,
    Module,
    Unit,
    UnitModule,
)
from inquiry.services import cohorts, completion, courses, cycles, facilitation, library
from inquiry.services.cycles import Plan

TITLE = "Talk for learning"
FACILITATOR = "grace"
ZONE = ZoneInfo("Europe/London")
SESSION_TIME = time(16, 30)  # after school in Leeds; early evening in Nairobi and Granada
Stage = InquiryCycle.Stage
Kind = Unit.SessionKind
PRESENT, ABSENT, APOLOGIES = (
    Attendance.Status.PRESENT,
    Attendance.Status.ABSENT,
    Attendance.Status.APOLOGIES,
)

SUMMARY = (
    "Four units over eight weeks on classroom talk: getting every pupil talking, questions "
    "worth waiting for, talk across the whole class, and talk that carries into writing. "
    "Each unit: short reading, a session with colleagues, one change tried in your "
    "classroom and a reflection shared with the cohort."
)
OUTCOMES = """By the end of the course you will be able to:

- plan pair and group talk that **every** pupil joins, with sentence stems and roles;
- ask fewer, better questions, and give the wait time that lets pupils think;
- use cold calling kindly, so that the whole class expects to take part;
- use structured talk and tier 2 vocabulary to lift pupils' writing;
- look at the effect of a change in your own classroom, and share what you found."""

# title, pre-learning (title words, first match each), session kind, place or link,
# minutes, intro, classroom task, reflection prompt
UNITS = [
    (
        "Everyone talks: pairs and sentence stems",
        [("think-pair",), ("stem",)],
        Kind.LIVE_ROOM,
        "",
        60,
        "Talk is how most pupils rehearse their thinking, but in most lessons a few voices do "
        "most of it. This unit is about structures that give everyone a turn.",
        "Choose one class and one talk task. For two weeks, give every pair a sentence stem "
        "to start with and a partner role, and note who speaks first.",
        "Who spoke who usually doesn't? What did the stems make easier, and what did they "
        "get in the way of?",
    ),
    (
        "Questions worth waiting for",
        [("wait time",), ("hinge",)],
        Kind.IN_PERSON,
        "The library, Riverside Primary School, Leeds",
        90,
        "We ask hundreds of questions a day and wait less than a second for most answers. "
        "We meet in person for this one: bring a question you asked this week.",
        "Plan one hinge question for each lesson for a week, and wait three seconds (count "
        "them) before taking any answer.",
        "What changed in the answers when you waited? What did the hinge question tell you "
        "that you would otherwise have missed?",
    ),
    (
        "Talk across the whole class",
        [("cold call",)],
        Kind.LIVE_ROOM,
        "",
        60,
        "Hands up lets the confident few answer for everyone. Cold calling, done with care, "
        "tells every pupil that their thinking is wanted.",
        "Cold call with care for a fortnight: tell the class why, give thinking time first, "
        "and make “I'm not sure yet, but…” a welcome answer.",
        "Did more pupils expect to be asked? How did the quieter ones respond, and how do "
        "you know?",
    ),
    (
        "From talk to writing",
        [("eal",), ("vocabulary",)],
        Kind.LINK,
        "https://call.staffroom.test/talk-for-learning",
        45,
        "Pupils rarely write better than they can talk. The last unit joins the two: "
        "structured talk, with the words they need, before they write.",
        "Before a piece of writing, plan ten minutes of structured talk that uses two or "
        "three tier 2 words; compare the writing with the last piece.",
        "What moved from the talk into the writing? Which pupils gained most, and what would "
        "you keep?",
    ),
]

# The cohort now: each member's story, unit by unit. Per unit: modules done (a number,
# or "all"), the register's word (None: not marked yet), and how far the task got: None
# (not started), "learn", "plan", "try", "reflect" (written, not shared) or "shared".
ALL = "all"
DONE = (ALL, PRESENT, "shared")
NOW_COHORT = {
    # Units 1 and 2 done, and into unit 3.
    "amira": [DONE, DONE, (ALL, None, "plan")],
    "wanjiru": [DONE, DONE, (ALL, None, None)],
    "lucia": [DONE, DONE, (ALL, None, "learn")],
    "hannah": [DONE, DONE, (0, None, None)],
    "elena": [DONE, DONE, (0, None, None)],
    "achieng": [DONE, DONE, (ALL, None, None)],
    # Part-way: a unit behind the cohort's dates.
    "tom.h": [DONE, (ALL, PRESENT, "reflect"), (0, None, None)],
    "priya.s": [DONE, (ALL, APOLOGIES, "shared"), (0, None, None)],
    "kavya": [(ALL, APOLOGIES, "shared"), DONE, (0, None, None)],
    "daniel": [DONE, (ALL, PRESENT, "plan"), (0, None, None)],
    "rohan": [DONE, (ALL, ABSENT, None), (ALL, None, None)],
    # Joined, then nothing: the dashboard's at-risk list leads with him.
    "ben.w": [(0, ABSENT, None), (0, ABSENT, None), (0, None, None)],
}
# The earlier run: three finished; Marcus stopped after unit 2.
EARLIER_COHORT = {
    "sophie": [DONE, DONE, DONE, DONE],
    "oliver": [DONE, DONE, DONE, DONE],
    "leah": [DONE, DONE, DONE, DONE],
    "marcus": [DONE, DONE, (1, ABSENT, None), (0, ABSENT, None)],
}

# What each teacher found, for the reflections they share (any unit: short and plain).
REFLECTIONS = [
    (
        "Year 2",
        "The quieter pupils had a way in: most of them spoke first at least once.",
        "Giving the structure mattered more than giving the words.",
        "Fade the support over the next fortnight and see who keeps going.",
    ),
    (
        "Year 9",
        "Answers got longer, and more of them built on someone else's.",
        "Pupils need permission to think before they speak.",
        "Model the routine once more before I expect it from everyone.",
    ),
    (
        "Form 3",
        "Fewer pupils said 'I don't know'; more said what they half-knew.",
        "A routine repeated every lesson beats a clever one used once.",
        "Share the routine with the other teachers of this class.",
    ),
    (
        "Year 4",
        "I counted: eleven pupils answered who had not answered all week.",
        "Waiting is a skill I have to practise as much as they do.",
        "Keep a tally on a sticky note so I notice who I skip.",
    ),
]

FEEDBACK = [
    (
        "Counting who spoke first is such a clear, honest measure.",
        "What would you look for next time to see whether it lasts?",
    ),
    (
        "You changed one thing and kept everything else the same: a fair test.",
        "Which pupils didn't change, and what might they need?",
    ),
    (
        "Lovely to see the pupils' own words in your notes.",
        "Could you try it with a second class and compare?",
    ),
]


def seed_courses(staff: User) -> None:
    if Course.objects.filter(title=TITLE).exists():
        return
    people = {user.username: user for user in User.objects.select_related("profile")}
    grace = people[FACILITATOR]
    now = timezone.now()
    course = _course(staff, grace, now - timedelta(days=240))
    today = timezone.localtime(now, ZONE).date()
    earlier = _cohort(grace, course, start=today - timedelta(days=180))
    _run(grace, earlier, EARLIER_COHORT, people)
    current = _cohort(grace, course, start=today - timedelta(days=32))
    _run(grace, current, NOW_COHORT, people)
    _chat(grace, current, people)


def _course(staff: User, grace: User, at: datetime) -> Course:
    course = courses.create_course(
        actor=staff,
        draft=courses.CourseDraft(title=TITLE, summary=SUMMARY, outcomes=OUTCOMES),
        authors=[grace],
        now=at,
    )
    used: set[int] = set()
    for title, modules, kind, where, minutes, intro, task, prompt in UNITS:
        unit = courses.create_unit(
            actor=grace,
            course=course,
            draft=courses.UnitDraft(
                title=title,
                intro=intro,
                session_kind=kind,
                session_place=where if kind == Kind.IN_PERSON else "",
                session_link=where if kind == Kind.LINK else "",
                session_minutes=minutes,
                task=task,
                reflection_prompt=prompt,
            ),
            now=at,
        )
        for words in modules:
            module = _module(used, *words)
            if module is not None:
                courses.add_unit_module(actor=grace, unit=unit, module=module, now=at)
    return courses.publish_course(actor=grace, course=course, now=at + timedelta(days=3))


def _module(used: set[int], *words: str) -> Module | None:
    """The first published module with one of these words in its title, not yet used."""
    published = Module.objects.published().order_by("published_at", "pk")
    for word in words:
        for module in published.filter(title__icontains=word):
            if module.pk not in used:
                used.add(module.pk)
                return module
    return None


def _cohort(grace: User, course: Course, *, start: date) -> Cohort:
    """A unit a fortnight from `start` (a Monday or not: the demo's dates slide), each
    session a week after its unit opens."""
    units = list(course.units.order_by("number"))
    dates = []
    for index, unit in enumerate(units):
        day = start + timedelta(days=14 * index)
        opens = datetime.combine(day, time(0, 0), tzinfo=ZONE)
        session = datetime.combine(day + timedelta(days=7), SESSION_TIME, tzinfo=ZONE)
        dates.append(cohorts.UnitDates(unit, opens, session))
    return cohorts.create_cohort(
        actor=grace,
        course=course,
        name=f"{start:%B %Y}, Leeds and online",
        capacity=16,
        unit_dates=dates,
        timezone_name="Europe/London",
        now=datetime.combine(start - timedelta(days=10), time(9), tzinfo=ZONE),
    )


def _run(grace: User, cohort: Cohort, stories: dict, people: dict) -> None:
    """Add the members, then live through the units that have begun, one at a time:
    pre-learning in the unit's first days, the session and its register, then the task."""
    cohort_units = list(
        CohortUnit.objects.filter(cohort=cohort).select_related("unit").order_by("unit__number")
    )
    first_open = cohort_units[0].opens_at
    for n, username in enumerate(stories):
        cohorts.add_member(
            actor=grace,
            cohort=cohort,
            user=people[username],
            now=first_open - timedelta(days=6) + timedelta(hours=7 * n),
        )
    modules = {
        cu.pk: [
            link.module
            for link in UnitModule.objects.filter(unit=cu.unit)
            .select_related("module")
            .order_by("order", "pk")
        ]
        for cu in cohort_units
    }
    for index, cu in enumerate(cohort_units):
        # Pre-learning in the days after the unit opens.
        for n, (username, units) in enumerate(stories.items()):
            if index >= len(units):
                continue
            count = units[index][0]
            todo = modules[cu.pk] if count == ALL else modules[cu.pk][:count]
            for k, module in enumerate(todo):
                at = cu.opens_at + timedelta(days=1 + (n % 4) + k, hours=10)
                library.start_module(actor=people[username], module=module, now=at)
                library.complete_module(actor=people[username], module=module, now=at)
        # The register, the evening of the session (a unit whose session is to come: none).
        marks = {
            people[username].pk: units[index][1]
            for username, units in stories.items()
            if index < len(units) and units[index][1]
        }
        if marks:
            facilitation.mark_attendance(
                actor=grace, cohort_unit=cu, marks=marks, now=cu.session_at + timedelta(hours=2)
            )
        # The classroom task: started the day after the session (or, in an open unit
        # whose session is still to come, a day or two after it opened).
        for n, (username, units) in enumerate(stories.items()):
            if index < len(units) and units[index][2]:
                _task(people[username], cohort, cu, n, units[index][2])
        if index == len(cohort_units) - 1:
            for username, units in stories.items():
                if all(unit == DONE for unit in units):
                    at = cu.session_at + timedelta(days=8)
                    completion.progress_changed(user=people[username], cohorts=[cohort], now=at)


def _task(user: User, cohort: Cohort, cu: CohortUnit, n: int, last: str) -> None:
    now = timezone.now()
    if cu.session_at <= now:
        start = cu.session_at + timedelta(days=1, hours=n % 5)
    else:
        start = cu.opens_at + timedelta(days=1 + n % 2, hours=9)
    cycle, _ = cohorts.start_unit_task(actor=user, cohort=cohort, cohort_unit=cu, now=start)
    if last == "learn":
        return
    group, did, means, differently = REFLECTIONS[n % len(REFLECTIONS)]
    at = start + timedelta(hours=2)
    cycles.advance(actor=user, cycle=cycle, to=Stage.PLAN, minutes=15, now=at)
    cycles.save_plan(
        actor=user,
        cycle=cycle,
        plan=Plan(
            trial_class=group,
            trial_date=(at + timedelta(days=1)).date(),
            trial_what=" ".join(cu.unit.task.split()),
            trial_look_for="Who speaks, for how long, and whether they build on each other.",
        ),
        now=at,
    )
    if last == "plan":
        return
    at = start + timedelta(days=1)
    cycles.advance(actor=user, cycle=cycle, to=Stage.TRY, minutes=20, now=at)
    cycles.add_evidence(
        actor=user,
        cycle=cycle,
        kind="note",
        note=f"Day 3 with {group}: {did}",
        now=at + timedelta(days=2),
    )
    if last == "try":
        return
    at = start + timedelta(days=5)
    cycles.advance(actor=user, cycle=cycle, to=Stage.REFLECT, minutes=30, now=at)
    cycles.save_reflection(
        actor=user,
        cycle=cycle,
        answers={
            "reflect_did": f"Tried the unit's task with {group} for a week.",
            "reflect_means": f"{did} {means}",
            "reflect_came_to": f"The unit {cu.unit.title.lower()} and my own {group}.",
            "reflect_differently": differently,
        },
        now=at,
    )
    if last == "reflect":
        return
    at = start + timedelta(days=6)
    cycles.advance(actor=user, cycle=cycle, to=Stage.SHARE, now=at)
    cycle = cycles.share_cycle(actor=user, cycle=cycle, space=cohort.space, now=at)
    _backdate(cycle.thread_id, at)
    now = timezone.now()
    if n % 3 == 0 and at + timedelta(days=1) < now:  # the facilitator answers some
        at += timedelta(days=1)
        warm, cool = FEEDBACK[(n // 3 + cu.unit.number) % len(FEEDBACK)]
        feedback = cycles.give_feedback(
            actor=cohort.created_by, cycle=cycle, warm=warm, cool=cool, now=at
        )
        Post.objects.filter(pk=feedback.post_id).update(created_at=at)
        Thread.objects.filter(pk=cycle.thread_id).update(last_activity_at=at)
    if at + timedelta(days=2) < now:  # read the feedback, and finished the cycle
        cycles.advance(actor=user, cycle=cycle, to=Stage.DONE, now=at + timedelta(days=2))


def _backdate(thread_id: int, at: datetime) -> None:
    """The forum stamps a thread with the moment it is written: move it to the story's."""
    Thread.objects.filter(pk=thread_id).update(created_at=at, last_activity_at=at)
    Post.objects.filter(thread_id=thread_id).update(created_at=at)


def _chat(grace: User, cohort: Cohort, people: dict) -> None:
    """A welcome thread in the cohort's space, and unit 1's live session in its chat room:
    what catch-up shows someone who missed it."""
    space = cohort.space
    welcome = forum.start_thread(
        actor=grace,
        space=space,
        title="Welcome to Talk for learning",
        body=(
            "Welcome, everyone! This is our cohort's own space: share your reflections here, "
            "ask questions between sessions, and tell us how your talk tasks go.\n\n"
            "Units 1 and 3 meet live in this space's chat room; unit 2 is in person in the "
            "library at Riverside Primary; unit 4 is a video call (the link is on the cohort "
            "page)."
        ),
    )
    first = CohortUnit.objects.filter(cohort=cohort, unit__number=1).get()
    _backdate(welcome.pk, first.opens_at - timedelta(days=2))
    room = chat.room_for(space)
    lines = [
        (FACILITATOR, "Hello all, we'll start in a minute. Which class are you thinking of?"),
        ("amira", "My Year 2s: the same six do all the talking on the carpet."),
        ("wanjiru", "Form 3 maths. Group work ends up with one person doing it all."),
        ("hannah", "Year 10 English: discussion dies after the first two answers."),
        (FACILITATOR, "Try one stem for a fortnight, and note who speaks first in each pair."),
        ("lucia", "Could the stems be in English and Spanish for my CLIL group?"),
        (FACILITATOR, "Yes! Tell us in your reflection whether it helped."),
    ]
    sent = []
    for username, body in lines:
        message, _ = chat.send_message(actor=people[username], room=room, body=body)
        sent.append(message.pk)
    for k, pk in enumerate(sent):
        at = first.session_at + timedelta(minutes=2 + 4 * k)
        ChatMessage.objects.filter(pk=pk).update(created_at=at)
