"""The kie.ai contact row moved to the studio app (studio 0006): only Django's record of it changes here."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0003_drop_change_notices"), ("studio", "0006_kiecontact")]

    operations = [migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="KieContact")])]
