from django.db import models


class KieContact(models.Model):
    """One row: when a call to kie.ai last succeeded, so /health/ can tell an admin how long it has been."""

    last_success_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"last kie.ai success: {self.last_success_at or 'never'}"
