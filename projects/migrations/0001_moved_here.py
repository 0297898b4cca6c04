"""People, projects, members, meetings and notices move here from ``studio``: the state
only. Their tables keep their names (``db_table``), so no row moves; ``studio.0009`` takes them
out of studio's state and moves their content types."""

import core.money
import core.validators
import django.db.models.deletion
import projects.models.stages
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("studio", "0008_songs_parts_meetings_notices"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Membership",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "role",
                            models.CharField(
                                choices=[
                                    ("producer", "Producer"),
                                    ("engineer", "Engineer"),
                                    ("artist", "Artist"),
                                    ("manager", "Manager"),
                                    ("accountant", "Accountant"),
                                    ("viewer", "Viewer"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "notified_at",
                            models.DateTimeField(blank=True, editable=False, null=True),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="memberships",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "studio_membership",
                        "ordering": ["project_id", "role", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="Person",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=200)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "user",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="person",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "people",
                        "db_table": "studio_person",
                        "ordering": ["name", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="Project",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("title", models.CharField(max_length=200)),
                        ("artist", models.CharField(max_length=200)),
                        (
                            "client",
                            models.CharField(
                                blank=True,
                                help_text="Who pays: a label, the artist.",
                                max_length=200,
                            ),
                        ),
                        (
                            "currency",
                            models.CharField(
                                default="EUR",
                                max_length=3,
                                validators=[core.money.validate_currency],
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("planning", "Planning"),
                                    ("pre_production", "Pre-production"),
                                    ("recording", "Recording"),
                                    ("mixing", "Mixing"),
                                    ("mastering", "Mastering"),
                                    ("released", "Released"),
                                    ("archived", "Archived"),
                                ],
                                default="planning",
                                max_length=20,
                            ),
                        ),
                        ("start_date", models.DateField(blank=True, null=True)),
                        (
                            "due_date",
                            models.DateField(blank=True, help_text="Target delivery.", null=True),
                        ),
                        ("notes", models.TextField(blank=True)),
                        (
                            "song_stage_names",
                            models.JSONField(
                                blank=True,
                                default=dict,
                                help_text='The board\'s own names for stages, e.g. {"mixing": "Mix"}.',
                                validators=[projects.models.stages.validate_song_stage_names],
                            ),
                        ),
                        (
                            "skipped_song_stages",
                            models.JSONField(
                                blank=True,
                                default=list,
                                help_text="Stages this production does not use (no column on its board).",
                                validators=[projects.models.stages.validate_skipped_song_stages],
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "members",
                            models.ManyToManyField(
                                related_name="projects",
                                through="projects.Membership",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "studio_project",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="PersonCard",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("email", models.EmailField(blank=True, max_length=254)),
                        ("phone", models.CharField(blank=True, max_length=40)),
                        (
                            "instruments",
                            models.CharField(
                                blank=True,
                                help_text="What they play, comma separated.",
                                max_length=300,
                            ),
                        ),
                        ("notes", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "person",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="cards",
                                to="projects.person",
                            ),
                        ),
                        (
                            "project",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="person_cards",
                                to="projects.project",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "studio_personcard",
                        "ordering": ["project_id", "person_id"],
                    },
                ),
                migrations.AddField(
                    model_name="person",
                    name="projects",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="people",
                        through="projects.PersonCard",
                        to="projects.project",
                    ),
                ),
                migrations.AddField(
                    model_name="membership",
                    name="project",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to="projects.project",
                    ),
                ),
                migrations.CreateModel(
                    name="Meeting",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("uid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        ("title", models.CharField(max_length=200)),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("pre_production", "Pre-production meeting"),
                                    ("listening", "Listening session"),
                                    ("call", "Call"),
                                    ("other", "Meeting"),
                                ],
                                default="other",
                                max_length=20,
                            ),
                        ),
                        ("start", models.DateTimeField()),
                        ("end", models.DateTimeField()),
                        (
                            "time_zone",
                            models.CharField(
                                help_text="Where the meeting's times are read (IANA zone, e.g. Europe/Berlin).",
                                max_length=64,
                                validators=[core.validators.validate_time_zone],
                            ),
                        ),
                        (
                            "place",
                            models.CharField(
                                blank=True, help_text="An address or a room.", max_length=300
                            ),
                        ),
                        (
                            "link",
                            models.URLField(
                                blank=True, help_text="A call's address.", max_length=500
                            ),
                        ),
                        ("notes", models.TextField(blank=True)),
                        ("sequence", models.PositiveIntegerField(default=0, editable=False)),
                        (
                            "cancelled_at",
                            models.DateTimeField(blank=True, editable=False, null=True),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True, db_index=True)),
                        (
                            "created_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "people",
                            models.ManyToManyField(
                                blank=True,
                                db_table="studio_meeting_people",
                                related_name="meetings",
                                to="projects.person",
                            ),
                        ),
                        (
                            "project",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="meetings",
                                to="projects.project",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "studio_meeting",
                        "ordering": ["start", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="NoticePreference",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    (
                                        "booking_invitation",
                                        "Studio days I am on: confirmed, moved, cancelled",
                                    ),
                                    ("meeting_invitation", "Meetings I am invited to"),
                                    ("call_sheet", "Call sheets for my sessions"),
                                    ("hold_lapsing", "A hold of mine lapses within 24 hours"),
                                    ("hold_challenged", "A 2nd hold challenges mine"),
                                    ("version_note", "A note on a version I uploaded"),
                                    (
                                        "version_approved",
                                        "A version approved on a production I produce",
                                    ),
                                ],
                                max_length=30,
                            ),
                        ),
                        ("enabled", models.BooleanField(default=True)),
                        (
                            "person",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notice_preferences",
                                to="projects.person",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "studio_noticepreference",
                        "ordering": ["person_id", "kind"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("person", "kind"), name="noticepreference_unique"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Notice",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("key", models.CharField(max_length=200, unique=True)),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    (
                                        "booking_invitation",
                                        "Studio days I am on: confirmed, moved, cancelled",
                                    ),
                                    ("meeting_invitation", "Meetings I am invited to"),
                                    ("call_sheet", "Call sheets for my sessions"),
                                    ("hold_lapsing", "A hold of mine lapses within 24 hours"),
                                    ("hold_challenged", "A 2nd hold challenges mine"),
                                    ("version_note", "A note on a version I uploaded"),
                                    (
                                        "version_approved",
                                        "A version approved on a production I produce",
                                    ),
                                ],
                                max_length=30,
                            ),
                        ),
                        ("to_email", models.EmailField(max_length=254)),
                        ("subject", models.CharField(max_length=300)),
                        ("attempts", models.PositiveSmallIntegerField(default=0)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "person",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="notices",
                                to="projects.person",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "studio_notice",
                        "ordering": ["-created_at", "-id"],
                        "indexes": [
                            models.Index(fields=["sent_at", "created_at"], name="notice_unsent")
                        ],
                    },
                ),
                migrations.AddConstraint(
                    model_name="project",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("currency__regex", "^[A-Z]{3}$")),
                        name="project_currency_iso",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="project",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("start_date__isnull", True),
                            ("due_date__isnull", True),
                            ("due_date__gte", models.F("start_date")),
                            _connector="OR",
                        ),
                        name="project_due_after_start",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="personcard",
                    constraint=models.UniqueConstraint(
                        fields=("project", "person"), name="personcard_unique"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="membership",
                    constraint=models.UniqueConstraint(
                        fields=("project", "user"), name="membership_unique_user"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="membership",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            (
                                "role__in",
                                [
                                    "producer",
                                    "engineer",
                                    "artist",
                                    "manager",
                                    "accountant",
                                    "viewer",
                                ],
                            )
                        ),
                        name="membership_role_known",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="meeting",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("end__gt", models.F("start"))),
                        name="meeting_end_after_start",
                    ),
                ),
            ],
        ),
    ]
