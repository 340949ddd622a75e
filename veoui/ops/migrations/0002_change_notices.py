"""On PostgreSQL, a notice on the veoui_changes channel each time a write to a watched table commits.

veoui's web processes once kept some reads in memory and listened for these notices to know when to read again;
0003 drops them. One notice per statement, carrying the table's name; PostgreSQL sends it at commit (not
at all on a rollback) and sends a transaction's identical notices once. Nothing is needed on SQLite, whose file
tells its readers when it changed.
"""

from django.db import migrations

TABLES = ("django_session", "auth_user", "team_membership", "studio_generation")

FUNCTION = """
CREATE OR REPLACE FUNCTION veoui_note_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('veoui_changes', TG_TABLE_NAME);
    RETURN NULL;
END
$$
"""
TRIGGER = (
    'CREATE TRIGGER veoui_note_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
    "FOR EACH STATEMENT EXECUTE FUNCTION veoui_note_change()"
)


def add(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    for table in TABLES:
        schema_editor.execute(f'DROP TRIGGER IF EXISTS veoui_note_change ON "{table}"')
        schema_editor.execute(TRIGGER.format(table=table))


def remove(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f'DROP TRIGGER IF EXISTS veoui_note_change ON "{table}"')
    schema_editor.execute("DROP FUNCTION IF EXISTS veoui_note_change()")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("sessions", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("team", "0003_language"),
        ("studio", "0003_team_workspace"),
    ]

    operations = [migrations.RunPython(add, remove, elidable=False)]
