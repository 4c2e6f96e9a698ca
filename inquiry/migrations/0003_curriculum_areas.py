"""The curriculum vocabulary modules are tagged with, beside community's phases and
subjects: the seven EYFS areas of learning and the National Curriculum key stages."""

from django.db import migrations

EYFS = [
    ("communication-language", "Communication and language"),
    ("personal-social-emotional", "Personal, social and emotional development"),
    ("physical-development", "Physical development"),
    ("literacy", "Literacy"),
    ("eyfs-mathematics", "Mathematics (EYFS)"),
    ("understanding-the-world", "Understanding the world"),
    ("expressive-arts-design", "Expressive arts and design"),
]
KEY_STAGES = [
    ("ks1", "Key stage 1 (ages 5–7)"),
    ("ks2", "Key stage 2 (ages 7–11)"),
    ("ks3", "Key stage 3 (ages 11–14)"),
    ("ks4", "Key stage 4 (ages 14–16)"),
    ("ks5", "Key stage 5 (ages 16–18)"),
]


def add(apps, schema_editor):
    CurriculumArea = apps.get_model("inquiry", "CurriculumArea")
    for kind, rows in (("eyfs", EYFS), ("key_stage", KEY_STAGES)):
        for order, (slug, name) in enumerate(rows):
            CurriculumArea.objects.update_or_create(
                slug=slug, defaults={"kind": kind, "name": name, "order": order}
            )


class Migration(migrations.Migration):
    dependencies = [("inquiry", "0002_library_cycles_priorities_tags")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
