"""Demo spaces and conversations for seed_demo. Written through the services, then
backdated so the network reads as if it had been alive for a few weeks."""

import datetime as dt
import itertools

from django.utils import timezone

from community.models import Membership, Post, Report, Space, Thread, User
from community.services import forum, moderation

# fmt: off
# name, description, phase slugs, subject names
SPACES = [
    ("EYFS", "Early years practice: continuous provision, early language, play.", ["eyfs"], ["Early reading and phonics"]),
    ("Primary maths", "Number sense, mastery, manipulatives and reasoning in KS1 and KS2.", ["primary"], ["Mathematics"]),
    ("Secondary science", "Practical work, misconceptions and retrieval in KS3 to KS5.", ["secondary", "post-16"], ["Science"]),
    ("Oracy", "Talk for learning across every phase and subject.", [], ["English"]),
    ("Behaviour", "Routines, relationships and calm classrooms.", [], ["Whole-school and pastoral"]),
    ("Assessment", "Formative assessment that changes what happens next lesson.", [], []),
    ("EdTech", "Technology that earns its place in the classroom.", [], ["Computing"]),
]

STEMS = [
    "I agree with … because …", "I'd like to build on what … said.", "Can you explain why …?",
    "I disagree, because …", "What's your evidence for that?", "Another way to see it is …",
    "I've changed my mind because …", "To summarise what we've heard …",
    "This reminds me of …", "I'm not sure yet, but I think …", "Could we compare that with …?",
    "The most important point is … because …",
]

# space, author, title, kind, body, [(author, reply)...], answer reply index or None
THREADS = [
    ("Oracy", "amira", "Share one sentence stem that changed talk in your classroom", "discussion",
     "We're collecting **sentence stems** that really work. Reply with one you use, the age group, "
     "and what changed. I'll collate them into a poster for everyone. #oracy #talk", None, None),
    ("Primary maths", "tom.h", "Number talks in Year 4: how long before it clicks?", "question",
     "I've started daily number talks (5 minutes, dot images then 24 × 5). Three weeks in, the same "
     "six children answer. How long did it take in your class before everyone joined in? #maths",
     [("zoe", "About four weeks for us. What helped most was **think time with thumbs**: nobody "
               "answers until every thumb is up, and I pick who shares."),
      ("rohan", "Try asking *how* before *what*: \"How did you see it?\" gets quieter children "
                "explaining a strategy, not racing for the answer."),
      ("aisha", "Partner talk first, then share your partner's strategy. It lowers the stakes a lot."),
      ("amira", "@tom.h we used mini whiteboards so every answer was visible at once. Worth a try?")], 0),
    ("Secondary science", "sophie", "Retrieval starters that don't eat the whole lesson", "discussion",
     "Our starters drift to 15 minutes. What's your routine for a 5-minute retrieval starter that "
     "still gets feedback in? #retrieval",
     [("arjun", "Five questions, two from last lesson, two from last month, one from last year. "
                "Answers on the board at minute 4, self-mark, hands up for 'got it wrong'."),
      ("javier", "We display the questions as students walk in, so the clock starts at the door."),
      ("otieno", "With 60 in a class I use a show-me board for one question only, then move on.")], None),
    ("Behaviour", "grace", "Calm corridors: what made the difference?", "discussion",
     "We're reviewing transitions between lessons. Which routines made your corridors calm, "
     "and how did you get staff consistency?",
     [("oliver", "Staff at doors on every changeover, greeting by name. Boring, but it works."),
      ("elena", "We practised routines in week one like a lesson: model, rehearse, praise.")], None),
    ("Assessment", "rohan", "Mini whiteboards: tips for making them routine", "discussion",
     "Mini whiteboards are the best formative tool I know, but the routine matters. Share yours! "
     "#formative",
     [("wanjiru", "'Show me' only on my count of three, boards face down until then."),
      ("carmen", "I keep a class list and tick who was wrong: the next question goes to them.")], None),
    ("EYFS", "priya.s", "Continuous provision that supports early language", "question",
     "Which areas of your provision produce the most talk? Looking for ideas for our role-play "
     "corner. #earlylanguage",
     [("chloe", "A 'vet's surgery' with clipboards: children narrate what they're doing without "
                "being asked."),
      ("aroha", "Small-world trays with a story prompt card; adults model one sentence then step back.")], 1),
    ("EdTech", "marcus", "Pair programming with Year 8: driver and navigator roles", "discussion",
     "Trying PRIMM with pair programming. Swapping roles every 7 minutes with a timer. Anyone got "
     "a good way to stop the driver doing everything? #computing",
     [("njeri", "Navigator holds the only copy of the task sheet. Changes everything."),
      ("rahul", "We record which role each pair was in at each swap; it keeps them honest.")], None),
]

# fmt: on

REACTIONS = ["helpful", "thanks", "tried_it"]


def seed_forum(staff: User, moderator: User) -> None:
    people = list(User.objects.filter(is_staff=False).exclude(pk=moderator.pk).order_by("pk"))
    spaces = {}
    for name, description, phase_slugs, subject_names in SPACES:
        space = Space.objects.filter(name=name, kind=Space.Kind.NETWORK).first()
        if space is None:
            from community.models import Phase, Subject

            space = forum.create_space(
                actor=staff,
                name=name,
                kind=Space.Kind.NETWORK,
                description=description,
                phases=list(Phase.objects.filter(slug__in=phase_slugs)),
                subjects=list(Subject.objects.filter(name__in=subject_names)),
            )
        spaces[name] = space
        for person in people:
            if not Membership.objects.filter(space=space, user=person).exists():
                forum.join_space(actor=person, space=space)
    science = spaces["Secondary science"]
    Membership.objects.update_or_create(
        space=science, user=moderator, defaults={"role": Membership.Role.MODERATOR}
    )
    for school_space in Space.objects.filter(kind=Space.Kind.SCHOOL):
        for person in User.objects.filter(profile__school=school_space.school):
            if not Membership.objects.filter(space=school_space, user=person).exists():
                forum.join_space(actor=person, space=school_space)

    by_name = {u.username: u for u in User.objects.all()}
    now = timezone.now()
    for index, (space_name, author, title, kind, body, replies, answer) in enumerate(THREADS):
        space = spaces[space_name]
        if Thread.objects.filter(space=space, title=title).exists():
            continue
        thread = forum.start_thread(
            actor=by_name[author], space=space, title=title, body=body, kind=kind
        )
        if replies is None:  # the long thread: everyone shares a stem, 120 replies
            pairs = zip(itertools.cycle(people), itertools.islice(itertools.cycle(STEMS), 120))
            replies = [
                (
                    p.username,
                    f"“{stem}” ({p.profile.get_career_stage_display().lower()}, "
                    f"{p.profile.school.name if p.profile.school else 'supply'}): "
                    f"{'quieter pupils join in' if n % 3 else 'answers got longer'}.",
                )
                for n, (p, stem) in enumerate(pairs)
            ]
        posts = [
            forum.post_reply(actor=by_name[who], thread=thread, body=text) for who, text in replies
        ]
        if answer is not None:
            forum.mark_answer(actor=by_name[author], thread=thread, post=posts[answer])
        for n, post in enumerate(posts[:12]):
            for reactor in people[n % 7 : n % 7 + 3]:
                if reactor.pk != post.author_id:
                    forum.react(actor=reactor, post=post, kind=REACTIONS[(n + reactor.pk) % 3])
        # Backdate: thread i started i+1 days ago, replies an hour or so apart.
        start = now - dt.timedelta(days=len(THREADS) - index + 1, hours=3)
        step = dt.timedelta(minutes=max(5, 60 * 24 // max(len(posts), 1)))
        Post.objects.filter(thread=thread, number=1).update(created_at=start)
        for post in posts:
            Post.objects.filter(pk=post.pk).update(created_at=start + step * (post.number - 1))
        Thread.objects.filter(pk=thread.pk).update(
            created_at=start, last_activity_at=start + step * len(posts)
        )
    # A few open reports, so the review queues have something in them.
    stems = Thread.objects.get(title__startswith="Share one sentence stem")
    for number, reporter, reason, note in [
        (7, "leah", "off_topic", "This one seems to be about a different topic."),
        (12, "james", "unkind", "The tone here felt dismissive to me."),
        (12, "kavya", "unkind", ""),
    ]:
        post = stems.posts.get(number=number)
        if (
            post.author.username != reporter
            and not Report.objects.filter(post=post, reporter__username=reporter).exists()
        ):
            moderation.report_post(actor=by_name[reporter], post=post, reason=reason, note=note)
