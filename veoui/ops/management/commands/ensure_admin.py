import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from veoui.team.models import Membership, Role


class Command(BaseCommand):
    help = "Create the first admin account, with a generated password, when nobody can log in yet."

    def handle(self, *args: object, **options: object) -> None:
        User = get_user_model()
        if User.objects.filter(is_active=True).exists():
            return
        password = secrets.token_urlsafe(12)
        user = User.objects.create_superuser(username="admin", email="", password=password)
        Membership.objects.update_or_create(user=user, defaults={"role": Role.ADMIN})
        self.stdout.write(
            "\nveoui made an admin account for you. Write the password down: it is shown only this once.\n"
            f"    username: admin\n    password: {password}\n"
        )
