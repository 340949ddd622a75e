"""The studio owns the row that says when kie.ai last answered: its table stays as the operations app made it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("studio", "0005_spends_and_checks"), ("core", "0003_drop_change_notices")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="KieContact",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("last_success_at", models.DateTimeField(blank=True, null=True)),
                    ],
                    options={"db_table": "core_kiecontact"},
                ),
            ]
        )
    ]
