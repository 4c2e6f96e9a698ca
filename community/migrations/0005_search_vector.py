"""A stored, trigger-maintained search vector for posts (PostgreSQL only).

Ranking 20,000 matches by parsing each post's text again took 480 ms (bench/community.py);
ranking stored vectors does not parse anything. The opening post's vector carries its
thread's title with weight A (a title match is one result, not one per reply); bodies
have weight B. Triggers keep the vector right whoever writes the row (services, bulk
loads, the admin): on a post's insert or body change, and on a thread's title change.
On SQLite the column exists but stays empty; search there matches words instead.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import migrations

FORWARD = """
CREATE FUNCTION community_post_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('english', CASE WHEN NEW.number = 1 THEN coalesce(
            (SELECT title FROM community_thread WHERE id = NEW.thread_id), '') ELSE '' END), 'A')
        || setweight(to_tsvector('english', coalesce(NEW.body, '')), 'B');
    RETURN NEW;
END $$;

CREATE TRIGGER community_post_search_vector
    BEFORE INSERT OR UPDATE OF body, number, thread_id ON community_post
    FOR EACH ROW EXECUTE FUNCTION community_post_search_vector();

CREATE FUNCTION community_thread_title_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Touching the opening post's body makes its own trigger rebuild the vector.
    UPDATE community_post SET body = body WHERE thread_id = NEW.id AND number = 1;
    RETURN NULL;
END $$;

CREATE TRIGGER community_thread_title_search
    AFTER UPDATE OF title ON community_thread
    FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title)
    EXECUTE FUNCTION community_thread_title_search();

UPDATE community_post SET body = body;

-- 0004's expression indexes served the search that this vector replaces.
DROP INDEX IF EXISTS post_body_search;
DROP INDEX IF EXISTS thread_title_search;
"""

BACKWARD = """
DROP TRIGGER IF EXISTS community_thread_title_search ON community_thread;
DROP FUNCTION IF EXISTS community_thread_title_search();
DROP TRIGGER IF EXISTS community_post_search_vector ON community_post;
DROP FUNCTION IF EXISTS community_post_search_vector();
"""

INDEX = GinIndex(fields=["search_vector"], name="post_search_vector")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FORWARD)
    schema_editor.add_index(apps.get_model("community", "Post"), INDEX)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.remove_index(apps.get_model("community", "Post"), INDEX)
    schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("community", "0004_search")]

    operations = [
        migrations.AddField(
            model_name="post",
            name="search_vector",
            field=SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(forward, backward, elidable=False),
    ]
