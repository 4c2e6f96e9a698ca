"""Demo data for `make run`: a small living network. Safe to run again and again."""

import datetime as dt

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from community import hooks, services
from community.management.commands._demo_forum import seed_forum
from community.management.commands._demo_sessions import seed_sessions
from community.models import Phase, Post, Profile, School, Space, Subject, User
from community.services import forum

DEMO_PASSWORD = "staffroom-demo"

# fmt: off
SCHOOLS = [
    # name, town, country, timezone, phase
    ("Riverside Primary School", "Leeds", "GB", "Europe/London", "primary"),
    ("Hillcrest Academy", "Bristol", "GB", "Europe/London", "secondary"),
    ("Colegio Sierra Nevada", "Granada", "ES", "Europe/Madrid", "all_through"),
    ("Nairobi Hills School", "Nairobi", "KE", "Africa/Nairobi", "secondary"),
    ("Lotus Valley Public School", "Pune", "IN", "Asia/Kolkata", "all_through"),
    ("Banksia Bay Primary", "Sydney", "AU", "Australia/Sydney", "primary"),
    ("Lakeview Middle School", "Chicago", "US", "America/Chicago", "secondary"),
]

# username, display name, school index (None: no school), career stage, phases, subjects, bio
PEOPLE = [
    ("amira", "Amira Khan", 0, "teacher", ["primary"], ["English", "Early reading and phonics"],
     "Year 2 teacher and reading lead. Curious about **oracy** and how talk builds writing."),
    ("tom.h", "Tom Hughes", 0, "early_career", ["primary"], ["Mathematics"],
     "ECT in Year 4. Trying out *mastery* approaches and number talks."),
    ("grace", "Grace Okafor", 0, "senior_leader", ["primary", "eyfs"], ["Whole-school and pastoral"],
     "Deputy head. I lead CPD and want it to feel like something teachers own."),
    ("priya.s", "Priya Shah", 0, "middle_leader", ["eyfs"], ["Early reading and phonics"],
     "EYFS lead. Continuous provision, play and early language."),
    ("ben.w", "Ben Walker", 0, "support", ["primary"], ["Mathematics"],
     "Teaching assistant running maths interventions."),
    ("sophie", "Sophie Clarke", 1, "middle_leader", ["secondary"], ["Science"],
     "Head of science. Retrieval practice, practical work, and cognitive load."),
    ("daniel", "Daniel Reid", 1, "teacher", ["secondary", "post-16"], ["History"],
     "History teacher. Disciplinary knowledge and source work with Year 9."),
    ("hannah", "Hannah Price", 1, "early_career", ["secondary"], ["English"],
     "Second-year ECT. Modelling essay writing and live marking."),
    ("marcus", "Marcus Bell", 1, "teacher", ["secondary"], ["Computing"],
     "Computing teacher; pair programming and PRIMM."),
    ("leah", "Leah Morgan", 1, "trainee", ["secondary"], ["Geography"],
     "Trainee on placement, keen to learn from everyone."),
    ("oliver", "Oliver Grant", 1, "senior_leader", ["secondary"], ["Mathematics"],
     "Assistant head for teaching and learning."),
    ("lucia", "Lucía Fernández", 2, "teacher", ["primary"], ["Languages", "English"],
     "Profesora de inglés en primaria. CLIL and songs for vocabulary."),
    ("javier", "Javier Ruiz", 2, "middle_leader", ["secondary"], ["Science"],
     "Jefe de departamento de ciencias. Inquiry-based science."),
    ("carmen", "Carmen López", 2, "teacher", ["secondary"], ["Mathematics"],
     "Maths teacher exploring low-floor, high-ceiling tasks."),
    ("pablo", "Pablo Martín", 2, "early_career", ["primary"], ["Physical education"],
     "PE teacher in my first years. Cooperative games."),
    ("elena", "Elena Navarro", 2, "senior_leader", ["primary", "secondary"], ["Whole-school and pastoral"],
     "Head of studies. Coaching and peer observation."),
    ("wanjiru", "Wanjiru Kamau", 3, "teacher", ["secondary"], ["Mathematics"],
     "Form 3 maths. Competency-based curriculum and group work."),
    ("otieno", "Brian Otieno", 3, "middle_leader", ["secondary"], ["Science"],
     "Head of chemistry. Low-cost practicals that work in big classes."),
    ("achieng", "Mercy Achieng", 3, "teacher", ["secondary"], ["English"],
     "Literature and debate club."),
    ("kipchoge", "David Kipchoge", 3, "early_career", ["secondary"], ["Geography"],
     "New geography teacher; fieldwork on a budget."),
    ("njeri", "Njeri Mwangi", 3, "teacher", ["secondary"], ["Computing"],
     "ICT and coding clubs for girls."),
    ("ananya", "Ananya Iyer", 4, "teacher", ["primary"], ["Science"],
     "Primary science through everyday phenomena."),
    ("rohan", "Rohan Mehta", 4, "middle_leader", ["secondary"], ["Mathematics"],
     "Maths HoD. Formative assessment with mini whiteboards."),
    ("kavya", "Kavya Nair", 4, "early_career", ["primary"], ["English"],
     "Reading aloud and class libraries."),
    ("arjun", "Arjun Rao", 4, "teacher", ["secondary", "post-16"], ["Science"],
     "Physics teacher; misconceptions about forces."),
    ("meera", "Meera Pillai", 4, "senior_leader", ["primary", "secondary"], ["Whole-school and pastoral"],
     "Vice principal. Teacher research groups."),
    ("zoe", "Zoe Mitchell", 5, "teacher", ["primary"], ["Mathematics"],
     "Year 5 teacher. Number sense and manipulatives."),
    ("liam", "Liam Nguyen", 5, "early_career", ["primary"], ["Science"],
     "Graduate teacher. Outdoor learning."),
    ("chloe", "Chloe Thompson", 5, "middle_leader", ["eyfs", "primary"], ["Early reading and phonics"],
     "Foundation year coordinator. Phonics and oral language."),
    ("jack", "Jack Wilson", 5, "teacher", ["primary"], ["Physical education", "PSHE and RSHE"],
     "Wellbeing and PE."),
    ("aroha", "Aroha Walker", 5, "support", ["primary"], ["English"],
     "Learning support officer; small-group reading."),
    ("maria.g", "Maria Garcia", 6, "teacher", ["secondary"], ["Languages"],
     "Spanish teacher, grades 6-8. Comprehensible input."),
    ("james", "James Carter", 6, "middle_leader", ["secondary"], ["Science"],
     "Science department chair. Phenomena-based units."),
    ("aisha", "Aisha Johnson", 6, "early_career", ["secondary"], ["Mathematics"],
     "Second-year math teacher. Thinking classrooms."),
    ("ethan", "Ethan Brooks", 6, "teacher", ["secondary"], ["History", "Citizenship"],
     "Social studies; civic discussion in middle school."),
    ("noah", "Noah Kim", 6, "teacher", ["secondary", "send"], ["English"],
     "Special education co-teacher in ELA."),
    ("fatima", "Fatima Bello", None, "teacher", ["secondary"], ["Science"],
     "Supply teacher across several schools; I bring ideas from each."),
    ("sam", "Sam Taylor", None, "trainee", ["primary"], ["Music"],
     "PGCE student. Music and singing in every classroom."),
    ("ines", "Inês Costa", 2, "trainee", ["primary"], ["Art and design"],
     "Student teacher on placement in Granada."),
    ("rahul", "Rahul Verma", 4, "teacher", ["secondary"], ["Computing"],
     "Computer science; project-based learning."),
]

# Accounts with a special role. Space moderators get their role per space once spaces exist.
STAFF = ("staff", "Stella Adeyemi", "Staffroom network staff: I review modules and look after the network.")
MODERATOR = ("moderator", "Rob Moderator", "I help keep the science spaces kind and useful.")
# fmt: on


class Command(BaseCommand):
    help = "Create (or refresh) the demo network and print the demo logins."

    @transaction.atomic
    def handle(self, *args, **options):
        # One hash shared by every demo account: hashing 40 times would take seconds.
        self.password_hash = make_password(DEMO_PASSWORD)
        phases = {p.slug: p for p in Phase.objects.all()}
        subjects = {s.name: s for s in Subject.objects.all()}
        staff = self.account(STAFF[0], STAFF[1])
        if not staff.is_staff:
            staff.is_staff = staff.is_superuser = True
            staff.save(update_fields=["is_staff", "is_superuser"])
        schools = [self.school(staff, *row) for row in SCHOOLS]

        def profile(user, name, school, stage, person_phases, person_subjects, bio):
            services.update_profile(
                actor=user,
                profile=services.ensure_profile(user=user),
                display_name=name,
                username=user.username,
                school=school,
                career_stage=stage,
                phases=[phases[p] for p in person_phases],
                subjects=[subjects[s] for s in person_subjects],
                timezone_name=school.timezone if school else "Europe/London",
                bio=bio,
            )

        profile(staff, STAFF[1], None, "senior_leader", [], [], STAFF[2])
        for username, name, index, stage, person_phases, person_subjects, bio in PEOPLE:
            school = schools[index] if index is not None else None
            user = self.account(username, name)
            profile(user, name, school, stage, person_phases, person_subjects, bio)
        moderator = self.account(MODERATOR[0], MODERATOR[1])
        profile(
            moderator,
            MODERATOR[1],
            schools[1],
            "middle_leader",
            ["secondary"],
            ["Science"],
            MODERATOR[2],
        )
        # Posting limits count posts per account; demo accounts are weeks old.
        User.objects.filter(username__in=[p[0] for p in PEOPLE]).update(
            date_joined=timezone.now() - dt.timedelta(days=60)
        )
        for school in schools:
            if not school.spaces.exists():
                forum.open_school_space(school=school)
        seed_forum(staff, moderator)
        seed_sessions(staff, moderator)
        hooks.seed_demo(staff)  # the apps built on community: inquiry's library, courses...
        self.print_logins()

    def account(self, username: str, name: str) -> User:
        email = f"{username}@staffroom.test"
        user, created = User.objects.get_or_create(
            username=username, defaults={"email": email, "first_name": name.split()[0]}
        )
        if created:
            user.password = self.password_hash
            user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user

    def school(self, actor, name, town, country, tz, phase) -> School:
        existing = School.objects.filter(slug=School.slug_base(name, town)).first()
        return existing or services.create_school(
            actor=actor, name=name, country=country, town=town, timezone_name=tz, phase=phase
        )

    def print_logins(self):
        w = self.stdout.write
        w(
            self.style.SUCCESS(
                f"Demo network ready: {School.objects.count()} schools, "
                f"{Profile.objects.count()} people, {Space.objects.count()} spaces, "
                f"{Post.objects.count()} posts."
            )
        )
        w(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        w("  teacher    amira@staffroom.test      (Riverside Primary, Leeds, Europe/London)")
        w("  teacher    wanjiru@staffroom.test    (Nairobi Hills School, Africa/Nairobi)")
        w("  teacher    zoe@staffroom.test        (Banksia Bay Primary, Australia/Sydney)")
        w("  facilitator grace@staffroom.test     (runs the 'Talk for learning' cohort)")
        w("  moderator  moderator@staffroom.test  (moderates Secondary science)")
        w("  staff      staff@staffroom.test      (network staff; also /admin/)")
