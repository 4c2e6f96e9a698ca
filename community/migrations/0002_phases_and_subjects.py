"""The fixed vocabularies teachers describe themselves with."""

from django.db import migrations

PHASES = [
    ("eyfs", "Early years (EYFS)"),
    ("primary", "Primary"),
    ("secondary", "Secondary"),
    ("post-16", "Post-16"),
    ("send", "Special educational needs (SEND)"),
]

SUBJECTS = [
    "Art and design", "Business and economics", "Citizenship", "Computing",
    "Design and technology", "Drama", "Early reading and phonics", "English",
    "Geography", "History", "Languages", "Mathematics", "Music", "Physical education",
    "PSHE and RSHE", "Religious education", "Science", "Whole-school and pastoral",
]


def add(apps, schema_editor):
    Phase = apps.get_model("community", "Phase")
    Subject = apps.get_model("community", "Subject")
    for order, (slug, name) in enumerate(PHASES):
        Phase.objects.update_or_create(slug=slug, defaults={"name": name, "order": order})
    for name in SUBJECTS:
        slug = name.lower().replace(" and ", "-").replace(" ", "-")
        Subject.objects.update_or_create(slug=slug, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("community", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
