"""Drop the change notices of 0002 (its triggers and their function) on PostgreSQL: nothing listens for them any
more, and each write to a busy table paid for one. Nothing to do on SQLite. Undone, the notices are back."""

from importlib import import_module

from django.db import migrations

notices = import_module("veoui.ops.migrations.0002_change_notices")


class Migration(migrations.Migration):
    dependencies = [("core", "0002_change_notices")]

    operations = [migrations.RunPython(notices.remove, notices.add, elidable=False)]
