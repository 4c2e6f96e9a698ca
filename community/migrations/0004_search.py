"""GIN indexes for full-text search (PostgreSQL only; SQLite searches without them).

Built through the schema editor from the very expressions the search query uses
(community.queries_search.BODY_VECTOR and TITLE_VECTOR, copied here so that this
migration never changes under us), so the index and the query cannot drift apart. The
indexes are not in the models' Meta: they exist on PostgreSQL only.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEXES = [
    ("Post", GinIndex(SearchVector("body", config="english"), name="post_body_search")),
    ("Thread", GinIndex(SearchVector("title", config="english"), name="thread_title_search")),
]


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, index in INDEXES:
        schema_editor.add_index(apps.get_model("community", model_name), index)


def remove_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, index in INDEXES:
        schema_editor.remove_index(apps.get_model("community", model_name), index)


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0003_forum_notifications_moderation"),
    ]

    operations = [migrations.RunPython(add_indexes, remove_indexes, elidable=False)]
