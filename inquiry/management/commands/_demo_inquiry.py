"""Demo inquiry for `make run`: the library (the modules of _demo_library, drafted by demo
teachers and published by staff), the schools' priorities, inquiry cycles at every
stage, shared reflections with warm and cool feedback, and months of CPD record history.

Everything goes through the services, with `now` set in the past where a story needs
its history (a module finished in July writes a July record entry). Run again, it adds
nothing: the library is there already."""

from datetime import datetime, timedelta

from django.utils import timezone

from community.models import Phase, School, Space, Subject, User
from inquiry.management.commands._demo_library import modules, seed_priorities
from inquiry.models import CurriculumArea, InquiryCycle, Module, SchoolPriority
from inquiry.services import cycles, library
from inquiry.services import record as record_service
from inquiry.services.cycles import Plan

Stage = InquiryCycle.Stage
# Who drafted which modules: teachers of the phase, round robin.
AUTHORS = {
    "eyfs": ["priya.s", "amira"],
    "primary": ["amira", "tom.h", "lucia", "zoe"],
    "secondary": ["sophie", "daniel", "hannah", "carmen", "marcus"],
    "post-16": ["daniel", "sophie"],
    "send": ["priya.s", "ben.w"],
}


def seed_inquiry(staff: User) -> None:
    if Module.objects.exists():
        return
    people = {user.username: user for user in User.objects.select_related("profile")}
    now = timezone.now()
    published = _library(staff, people, now)
    schools = {school.name: school for school in School.objects.all()}
    seed_priorities(schools, staff)
    _cycles(people, published, now)
    _record(people["amira"], published, now)


def _library(staff: User, people: dict, now: datetime) -> dict[str, Module]:
    phases = {p.slug: p for p in Phase.objects.all()}
    subjects = {s.name: s for s in Subject.objects.all()}
    areas = {a.slug: a for a in CurriculumArea.objects.all()}
    turns: dict[str, int] = {}
    made = {}
    rows = modules()
    for n, row in enumerate(rows):
        phase = row["phases"][0] if row["phases"] else "primary"
        authors = AUTHORS.get(phase, AUTHORS["primary"])
        author = people[authors[turns.get(phase, 0) % len(authors)]]
        turns[phase] = turns.get(phase, 0) + 1
        drafted = now - timedelta(days=200 - 5 * n)
        module = library.create_module(
            actor=author,
            draft=library.ModuleDraft(
                title=row["title"],
                summary=row["summary"],
                body=row["body"],
                minutes=row["minutes"],
                try_prompt=row["try_prompt"],
                phases=[phases[p] for p in row["phases"]],
                subjects=[subjects[s] for s in row["subjects"]],
                areas=[areas[a] for a in row["areas"]],
                tags=row["tags"],
            ),
            now=drafted,
        )
        library.submit_module(actor=author, module=module, now=drafted)
        if n < len(rows) - 2:  # the last two wait in the review queue
            module = library.publish_module(
                actor=staff, module=module, now=drafted + timedelta(days=2)
            )
        made[module.slug] = module
    return {slug: m for slug, m in made.items() if m.status == Module.Status.PUBLISHED}


def _find(published: dict[str, Module], *words: str) -> Module:
    """The first published module whose title has one of these words."""
    for word in words:
        for module in published.values():
            if word in module.title.lower():
                return module
    return next(iter(published.values()))


def _space(name: str) -> Space:
    return Space.objects.get(name=name)


def _plan(owner: User, cycle, at, *, what, look_for, group, priority=None):
    cycles.advance(actor=owner, cycle=cycle, to=Stage.PLAN, minutes=15, now=at)
    cycles.save_plan(
        actor=owner,
        cycle=cycle,
        plan=Plan(
            trial_class=group,
            trial_date=(at + timedelta(days=3)).date(),
            trial_what=what,
            trial_look_for=look_for,
            priority=priority,
        ),
        now=at,
    )


def _reflect(owner: User, cycle, at, answers: dict) -> None:
    cycles.advance(actor=owner, cycle=cycle, to=Stage.TRY, minutes=20, now=at)
    cycles.add_evidence(actor=owner, cycle=cycle, kind="note", note=answers.pop("note"), now=at)
    cycles.advance(actor=owner, cycle=cycle, to=Stage.REFLECT, minutes=45, now=at)
    cycles.save_reflection(actor=owner, cycle=cycle, answers=answers, now=at)


def _cycles(people: dict, published: dict[str, Module], now: datetime) -> None:
    amira, tom, grace = people["amira"], people["tom.h"], people["grace"]
    oracy = SchoolPriority.objects.filter(title__icontains="oracy").first()

    # Amira: a cycle done and shared in Oracy, with feedback; the next one being planned.
    stems = _find(published, "stem", "oracy", "talk")
    first = cycles.start_cycle(
        actor=amira,
        focus_question="Do sentence stems help my quieter Year 2s join class discussion?",
        module=stems,
        now=now - timedelta(days=60),
    )
    _plan(
        amira,
        first,
        now - timedelta(days=58),
        what="Sentence stems on the table for every talk task for two weeks.",
        look_for="Who speaks first in pairs, and whether the quieter six use a stem.",
        group="Year 2",
        priority=oracy,
    )
    _reflect(
        amira,
        first,
        now - timedelta(days=44),
        {
            "note": "Week 1: four of the quieter six used 'I agree with … because …'.",
            "reflect_did": "I put three stems on each table and modelled them before talk.",
            "reflect_means": "Stems lowered the cost of starting: more children spoke first.",
            "reflect_came_to": "The module's point that talk needs a way in, not a push.",
            "reflect_differently": "Fade the stems: keep one per table, then none.",
        },
    )
    cycles.advance(actor=amira, cycle=first, to=Stage.SHARE, now=now - timedelta(days=43))
    cycles.share_cycle(
        actor=amira, cycle=first, space=_space("Oracy"), now=now - timedelta(days=43)
    )
    cycles.give_feedback(
        actor=tom,
        cycle=first,
        warm="Tracking the quieter six by name made the change easy to see.",
        cool="Did anyone start using the stems outside the talk task?",
        now=now - timedelta(days=42),
    )
    cycles.give_feedback(
        actor=grace,
        cycle=first,
        warm="A lovely, tight trial: one change, one group, two weeks.",
        cool="Could you try fading them next, as you suggest?",
        now=now - timedelta(days=41),
    )
    cycles.advance(actor=amira, cycle=first, to=Stage.DONE, now=now - timedelta(days=40))
    first.refresh_from_db()  # the services worked on their own copies (it is done now)
    second = cycles.start_cycle(
        actor=amira,
        focus_question="Do my Year 2s keep talking when I fade the sentence stems?",
        previous=first,
        now=now - timedelta(days=10),
    )
    _plan(
        amira,
        second,
        now - timedelta(days=9),
        what="One stem per table this week; none the next.",
        look_for="Whether the same children keep starting.",
        group="Year 2",
        priority=oracy,
    )
    cycles.set_visibility(actor=amira, cycle=second, visibility="school", now=now)

    # Tom trying it; Hannah reflecting; Sophie ready to share; Priya learning; Daniel's
    # finished privately; Wanjiru's shared with the network, with feedback from Lucía.
    tom_cycle = cycles.start_cycle(
        actor=tom,
        focus_question="Do manipulatives help my Year 4s explain place value?",
        module=_find(published, "manipulative", "concrete", "maths"),
        now=now - timedelta(days=20),
    )
    _plan(
        tom,
        tom_cycle,
        now - timedelta(days=18),
        what="Dienes blocks for every place-value starter.",
        look_for="Whether explanations use 'tens' and 'ones' correctly.",
        group="Year 4",
    )
    cycles.advance(
        actor=tom, cycle=tom_cycle, to=Stage.TRY, minutes=10, now=now - timedelta(days=16)
    )
    cycles.add_evidence(
        actor=tom,
        cycle=tom_cycle,
        kind="note",
        note="Day 2: most could show 34 as 3 tens and 4 ones; fewer could say why.",
        now=now - timedelta(days=15),
    )

    hannah = people["hannah"]
    hannah_cycle = cycles.start_cycle(
        actor=hannah,
        focus_question="Does live modelling improve my Year 10s' analytical paragraphs?",
        module=_find(published, "model", "writing"),
        now=now - timedelta(days=30),
    )
    _plan(
        hannah,
        hannah_cycle,
        now - timedelta(days=29),
        what="Write one paragraph live, thinking aloud, before they write theirs.",
        look_for="Embedded quotations and a 'this suggests' move.",
        group="Year 10 set 3",
    )
    cycles.advance(actor=hannah, cycle=hannah_cycle, to=Stage.TRY, now=now - timedelta(days=25))
    cycles.advance(actor=hannah, cycle=hannah_cycle, to=Stage.REFLECT, now=now - timedelta(days=20))
    cycles.save_reflection(
        actor=hannah,
        cycle=hannah_cycle,
        answers={
            "reflect_did": "Modelled three paragraphs over two weeks.",
            "reflect_means": "",
            "reflect_came_to": "",
            "reflect_differently": "",
        },
        now=now - timedelta(days=20),
    )

    sophie = people["sophie"]
    sophie_cycle = cycles.start_cycle(
        actor=sophie,
        focus_question="Do low-stakes retrieval starters help Year 8 remember last term?",
        module=_find(published, "retrieval", "quiz"),
        now=now - timedelta(days=35),
    )
    _plan(
        sophie,
        sophie_cycle,
        now - timedelta(days=34),
        what="Five questions at the door: last lesson, last week, last term.",
        look_for="Scores on the last-term questions over three weeks.",
        group="Year 8",
    )
    _reflect(
        sophie,
        sophie_cycle,
        now - timedelta(days=14),
        {
            "note": "Last-term questions: 38% right in week 1, 61% in week 3.",
            "reflect_did": "Ran the five-question starter every lesson for three weeks.",
            "reflect_means": "Spacing the questions mattered more than the format.",
            "reflect_came_to": "Our department's focus on what sticks after a topic ends.",
            "reflect_differently": "Mix in questions from two terms ago.",
        },
    )
    cycles.advance(actor=sophie, cycle=sophie_cycle, to=Stage.SHARE, now=now - timedelta(days=13))

    cycles.start_cycle(
        actor=people["priya.s"],
        focus_question="How can dialogic reading grow vocabulary in Nursery?",
        module=_find(published, "dialogic", "story", "early"),
        now=now - timedelta(days=2),
    )

    daniel = people["daniel"]
    daniel_cycle = cycles.start_cycle(
        actor=daniel,
        focus_question="Do Year 9 source questions improve with a 'provenance first' routine?",
        now=now - timedelta(days=90),
    )
    _plan(
        daniel,
        daniel_cycle,
        now - timedelta(days=89),
        what="Who made it, when, why: before any reading of the source.",
        look_for="Whether answers mention purpose without prompting.",
        group="Year 9",
    )
    _reflect(
        daniel,
        daniel_cycle,
        now - timedelta(days=70),
        {
            "note": "By week 3, 19 of 27 mentioned purpose unprompted.",
            "reflect_did": "Three provenance questions before every source for a month.",
            "reflect_means": "The routine made purpose a habit, not an afterthought.",
            "reflect_came_to": "Frustration with answers that summarised sources.",
            "reflect_differently": "Hand the questions over to pupils sooner.",
        },
    )
    cycles.advance(actor=daniel, cycle=daniel_cycle, to=Stage.DONE, now=now - timedelta(days=69))

    wanjiru, lucia = people["wanjiru"], people["lucia"]
    wanjiru_cycle = cycles.start_cycle(
        actor=wanjiru,
        focus_question="Do assigned roles make group work fairer in Form 2?",
        module=_find(published, "group", "cooperative"),
        now=now - timedelta(days=50),
    )
    _plan(
        wanjiru,
        wanjiru_cycle,
        now - timedelta(days=49),
        what="Four roles per group, rotated each lesson: chair, scribe, checker, reporter.",
        look_for="Who speaks in each group, tallied for two lessons.",
        group="Form 2",
    )
    _reflect(
        wanjiru,
        wanjiru_cycle,
        now - timedelta(days=35),
        {
            "note": "Tallies: the quietest student in each group spoke 3 times, up from 0.",
            "reflect_did": "Gave every group four rotating roles for three weeks.",
            "reflect_means": "Roles shared out the talking; the checker role helped most.",
            "reflect_came_to": "Groups where one student did all the work.",
            "reflect_differently": "Teach each role with a short model first.",
        },
    )
    cycles.set_visibility(actor=wanjiru, cycle=wanjiru_cycle, visibility="network")
    cycles.advance(actor=wanjiru, cycle=wanjiru_cycle, to=Stage.SHARE, now=now - timedelta(days=34))
    cycles.share_cycle(
        actor=wanjiru, cycle=wanjiru_cycle, space=_space("Behaviour"), now=now - timedelta(days=34)
    )
    cycles.give_feedback(
        actor=lucia,
        cycle=wanjiru_cycle,
        warm="The tallies are such a simple, honest measure.",
        cool="Which role did students find hardest?",
        now=now - timedelta(days=33),
    )


def _record(amira: User, published: dict[str, Module], now: datetime) -> None:
    """Months of Amira's learning: modules finished since the summer, and learning done
    elsewhere that she added herself."""
    for n, module in enumerate(list(published.values())[:8]):
        at = now - timedelta(days=150 - 17 * n)
        library.start_module(actor=amira, module=module, now=at)
        library.complete_module(actor=amira, module=module, now=at)
    for days, title, minutes, notes in [
        (130, "Read: the EEF guidance on oral language", 60, "Notes in my planning folder."),
        (95, "Trust network meeting: early reading", 90, ""),
        (20, "Read: a chapter on dialogic teaching", 40, "Talk moves to try: revoicing."),
    ]:
        record_service.add_entry(
            actor=amira,
            title=title,
            occurred_on=(now - timedelta(days=days)).date(),
            minutes=minutes,
            notes=notes,
        )
