"""`manage.py demo`: an invented studio, its people and two productions, with a demo login.

Every name here is invented. Running it again changes nothing: rows are found by their
natural keys and only created when missing.
"""

from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from projects import demo
from projects.demo import DEMO_PASSWORD, DEMO_USERNAME, PEOPLE, PROJECTS, USERS
from projects.models import Membership, Person, PersonCard, Project


class Command(BaseCommand):
    help = "Load an invented demo studio, people and projects (idempotent) and print the login."

    def handle(self, *args: Any, **options: Any) -> None:
        # Loading the demo confirms days, adds notes and approves versions, which tell the
        # invented people by mail. Nobody is there to read it: with tasks in-process the
        # console backend would print a screenful of invitations before the login line, so
        # the demo's mail goes nowhere (the notices are still recorded, as sent). The load commits
        # inside the override, so the mail sent after commit goes nowhere too.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            self._load()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready. Log in at http://127.0.0.1:8000/ as {DEMO_USERNAME} / {DEMO_PASSWORD}"
            )
        )

    @transaction.atomic
    def _load(self) -> None:
        users = self._users()
        people = self._people(users)
        for spec in PROJECTS:
            self._project(spec, users, people)
        demo.load_meetings(by=users[DEMO_USERNAME])
        demo.load_invitations(by=users[DEMO_USERNAME])
        # The apps above add their part of the demo through their AppConfig (studio: the
        # studio and its days; songs, sessions, budgets, releases), in the order of
        # INSTALLED_APPS, so that this command imports none of them.
        for app in apps.get_app_configs():
            load_demo = getattr(app, "load_demo", None)
            if load_demo is not None:
                load_demo(by=users[DEMO_USERNAME])

    def _users(self) -> dict[str, Any]:
        User = get_user_model()
        users = {}
        for username, first, last, email in USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "email": email},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                # The demo login also opens the admin, so every page of the demo can be seen.
                user.is_staff = user.is_superuser = username == DEMO_USERNAME
                user.save()
            users[username] = user
        return users

    def _people(self, users: dict[str, Any]) -> dict[str, Person]:
        people = {}
        for name, _email, _instruments, username in PEOPLE:
            person, _ = Person.objects.get_or_create(
                name=name, defaults={"user": users.get(username)}
            )
            people[name] = person
        return people

    def _card(self, person: Person, project: Project) -> None:
        """The person on the project, with what the demo production knows about them."""
        email, instruments = next((e, i) for n, e, i, _ in PEOPLE if n == person.name)
        PersonCard.objects.get_or_create(
            person=person,
            project=project,
            defaults={"email": email, "instruments": instruments},
        )

    def _project(
        self,
        spec: dict[str, Any],
        users: dict[str, Any],
        people: dict[str, Person],
    ) -> Project:
        fields = {k: v for k, v in spec.items() if k not in {"members", "people"}}
        project, _ = Project.objects.get_or_create(
            title=fields.pop("title"), artist=fields.pop("artist"), defaults=fields
        )
        for username, role in spec["members"]:
            Membership.objects.get_or_create(
                project=project, user=users[username], defaults={"role": role}
            )
            person = Person.objects.filter(user=users[username]).first()
            if person is not None:
                self._card(person, project)
        for name in spec["people"]:
            self._card(people[name], project)
        return project
