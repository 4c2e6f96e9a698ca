from io import StringIO

from django.core.management import call_command

from community.models import Profile, School, User


def seed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_builds_a_network_and_prints_logins(db):
    output = seed()
    assert School.objects.count() >= 6
    assert len(set(School.objects.values_list("timezone", flat=True))) >= 4
    assert Profile.objects.filter(onboarded_at__isnull=False).count() >= 40
    assert User.objects.filter(is_staff=True).exists()
    assert "amira@staffroom.test" in output and "staffroom-demo" in output
    amira = User.objects.get(username="amira")
    assert amira.check_password("staffroom-demo")
    assert amira.emailaddress_set.get().verified
    assert "<strong>oracy</strong>" in amira.profile.bio_html


def test_seed_demo_is_idempotent(db):
    seed()
    counts = (User.objects.count(), School.objects.count(), Profile.objects.count())
    seed()
    assert (User.objects.count(), School.objects.count(), Profile.objects.count()) == counts
