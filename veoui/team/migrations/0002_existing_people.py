import uuid

from django.conf import settings
from django.db import migrations


def add_memberships(apps, schema_editor):
    """Everyone who could log in before the team app existed gets a membership; staff become admins."""
    app_label, model_name = settings.AUTH_USER_MODEL.split(".")
    User = apps.get_model(app_label, model_name)
    Membership = apps.get_model("team", "Membership")
    TeamSettings = apps.get_model("team", "TeamSettings")
    KieBalance = apps.get_model("team", "KieBalance")
    for user in User.objects.filter(membership__isnull=True):
        Membership.objects.create(user=user, uuid=uuid.uuid4(), role="admin" if user.is_staff else "member")
    TeamSettings.objects.get_or_create(pk=1)
    KieBalance.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [
        ("team", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(add_memberships, migrations.RunPython.noop)]
