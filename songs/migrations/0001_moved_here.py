"""Songs, parts and stages move here from ``studio``, versions, notes and listen links from
``releases``: the state only. Their tables keep their names (``db_table``), so no row moves;
``studio.0009`` moves their content types."""

import django.core.validators
import django.db.models.deletion
import songs.models.versions
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("releases", "0009_song_versions"),
        ("studio", "0008_songs_parts_meetings_notices"),
        ("projects", "0001_moved_here"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Part",
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
                        ("name", models.CharField(max_length=100)),
                        ("position", models.PositiveIntegerField(default=0)),
                        (
                            "project",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="parts",
                                to="projects.project",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "studio_part",
                        "ordering": ["project_id", "position", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="Song",
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
                        ("working_title", models.CharField(blank=True, max_length=200)),
                        (
                            "key",
                            models.CharField(
                                blank=True, help_text="For example A minor.", max_length=20
                            ),
                        ),
                        (
                            "tempo",
                            models.DecimalField(
                                blank=True,
                                decimal_places=1,
                                help_text="Beats per minute.",
                                max_digits=5,
                                null=True,
                                validators=[django.core.validators.MinValueValidator(Decimal("1"))],
                            ),
                        ),
                        ("notes", models.TextField(blank=True)),
                        (
                            "stage",
                            models.CharField(
                                choices=[
                                    ("pre_production", "Pre-production"),
                                    ("tracking", "Tracking"),
                                    ("overdubs", "Overdubs"),
                                    ("editing", "Editing"),
                                    ("mixing", "Mixing"),
                                    ("mastering", "Mastering"),
                                    ("done", "Done"),
                                ],
                                default="pre_production",
                                max_length=20,
                            ),
                        ),
                        ("due_date", models.DateField(blank=True, null=True)),
                        (
                            "position",
                            models.PositiveIntegerField(
                                default=0, help_text="Order within its column."
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "holder",
                            models.ForeignKey(
                                blank=True,
                                help_text="Who has the song now (the mixer, the mastering engineer...).",
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="songs_held",
                                to="projects.person",
                            ),
                        ),
                        (
                            "project",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="songs",
                                to="projects.project",
                            ),
                        ),
                        (
                            "writers",
                            models.ManyToManyField(
                                blank=True,
                                db_table="studio_song_writers",
                                related_name="songs_written",
                                to="projects.person",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "studio_song",
                        "ordering": ["project_id", "position", "title", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="SongPart",
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
                            "status",
                            models.CharField(
                                choices=[
                                    ("not_started", "Not started"),
                                    ("recorded", "Recorded"),
                                    ("edited", "Edited"),
                                    ("complete", "Complete"),
                                    ("not_needed", "Not needed"),
                                ],
                                default="not_started",
                                max_length=20,
                            ),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "part",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="song_parts",
                                to="songs.part",
                            ),
                        ),
                        (
                            "song",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="part_statuses",
                                to="songs.song",
                            ),
                        ),
                        (
                            "updated_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "studio_songpart",
                        "ordering": ["song_id", "part__position", "part_id"],
                    },
                ),
                migrations.CreateModel(
                    name="SongStageChange",
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
                        ("at", models.DateTimeField(auto_now_add=True)),
                        (
                            "from_stage",
                            models.CharField(
                                choices=[
                                    ("pre_production", "Pre-production"),
                                    ("tracking", "Tracking"),
                                    ("overdubs", "Overdubs"),
                                    ("editing", "Editing"),
                                    ("mixing", "Mixing"),
                                    ("mastering", "Mastering"),
                                    ("done", "Done"),
                                ],
                                max_length=20,
                            ),
                        ),
                        (
                            "to_stage",
                            models.CharField(
                                choices=[
                                    ("pre_production", "Pre-production"),
                                    ("tracking", "Tracking"),
                                    ("overdubs", "Overdubs"),
                                    ("editing", "Editing"),
                                    ("mixing", "Mixing"),
                                    ("mastering", "Mastering"),
                                    ("done", "Done"),
                                ],
                                max_length=20,
                            ),
                        ),
                        (
                            "by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="song_stage_changes",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "song",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="stage_changes",
                                to="songs.song",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "studio_songstagechange",
                        "ordering": ["song_id", "at", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="SongVersion",
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
                        ("original_name", models.CharField(max_length=255)),
                        ("format", models.CharField(max_length=10)),
                        ("subtype", models.CharField(max_length=20)),
                        ("sample_rate", models.PositiveIntegerField()),
                        ("bit_depth", models.PositiveSmallIntegerField()),
                        ("is_float", models.BooleanField(default=False)),
                        ("channels", models.PositiveSmallIntegerField()),
                        ("frames", models.PositiveBigIntegerField()),
                        ("size", models.PositiveBigIntegerField()),
                        ("sha256", models.CharField(max_length=64)),
                        ("md5", models.CharField(max_length=32)),
                        ("integrated_lufs", models.FloatField(blank=True, null=True)),
                        ("true_peak_dbtp", models.FloatField(blank=True, null=True)),
                        ("analysed_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "kind",
                            models.CharField(
                                choices=[("rough", "Rough"), ("mix", "Mix"), ("master", "Master")],
                                max_length=10,
                            ),
                        ),
                        ("number", models.PositiveIntegerField()),
                        ("file", models.FileField(max_length=255, upload_to="versions/%Y/")),
                        ("peaks", models.JSONField(blank=True, default=list, editable=False)),
                        (
                            "preview",
                            models.FileField(
                                blank=True, max_length=255, upload_to="versions/previews/%Y/"
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "Waiting for analysis"),
                                    ("ready", "Analysed"),
                                    ("failed", "Analysis failed"),
                                ],
                                default="pending",
                                max_length=10,
                            ),
                        ),
                        ("status_message", models.CharField(blank=True, max_length=500)),
                        ("uploaded_at", models.DateTimeField(auto_now_add=True)),
                        ("approved_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "approved_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "song",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="versions",
                                to="songs.song",
                            ),
                        ),
                        (
                            "uploaded_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="song_versions",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "releases_songversion",
                        "ordering": ["song_id", "-uploaded_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="ListenLink",
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
                            "token",
                            models.CharField(
                                default=songs.models.versions.new_listen_token,
                                editable=False,
                                max_length=64,
                                unique=True,
                            ),
                        ),
                        (
                            "label",
                            models.CharField(
                                help_text="Who it is for, e.g. the mastering engineer.",
                                max_length=200,
                            ),
                        ),
                        ("expires_at", models.DateTimeField()),
                        ("revoked_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "password_hash",
                            models.CharField(blank=True, editable=False, max_length=200),
                        ),
                        ("allow_download", models.BooleanField(default=False)),
                        ("allow_notes", models.BooleanField(default=False)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "version",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="listen_links",
                                to="songs.songversion",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "releases_listenlink",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="VersionNote",
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
                        ("at_seconds", models.DecimalField(decimal_places=2, max_digits=8)),
                        ("body", models.TextField(max_length=2000)),
                        ("guest_name", models.CharField(blank=True, max_length=100)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("resolved_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "author",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="version_notes",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "link",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="notes",
                                to="songs.listenlink",
                            ),
                        ),
                        (
                            "resolved_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "resolved_in",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="fixes",
                                to="songs.songversion",
                            ),
                        ),
                        (
                            "version",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notes",
                                to="songs.songversion",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "releases_versionnote",
                        "ordering": ["version_id", "at_seconds", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="ListenPlay",
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
                        ("key", models.CharField(editable=False, max_length=32)),
                        ("at", models.DateTimeField(auto_now_add=True)),
                        ("user_agent", models.CharField(blank=True, max_length=200)),
                        (
                            "link",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="plays",
                                to="songs.listenlink",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "releases_listenplay",
                        "ordering": ["-at", "-id"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("link", "key"), name="listenplay_once_per_page"
                            )
                        ],
                    },
                ),
                migrations.AddConstraint(
                    model_name="part",
                    constraint=models.UniqueConstraint(
                        fields=("project", "name"), name="part_unique_name"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="song",
                    constraint=models.UniqueConstraint(
                        fields=("project", "title"), name="song_unique_title"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="song",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            (
                                "stage__in",
                                [
                                    "pre_production",
                                    "tracking",
                                    "overdubs",
                                    "editing",
                                    "mixing",
                                    "mastering",
                                    "done",
                                ],
                            )
                        ),
                        name="song_stage_known",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="song",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("tempo__isnull", True), ("tempo__gt", 0), _connector="OR"
                        ),
                        name="song_tempo_positive",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="songpart",
                    constraint=models.UniqueConstraint(
                        fields=("song", "part"), name="songpart_unique"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="songpart",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            (
                                "status__in",
                                ["not_started", "recorded", "edited", "complete", "not_needed"],
                            )
                        ),
                        name="songpart_status_known",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="songstagechange",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("from_stage", models.F("to_stage")), _negated=True),
                        name="song_change_moves",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="songversion",
                    constraint=models.UniqueConstraint(
                        fields=("song", "kind", "number"), name="songversion_unique_number"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="songversion",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("kind__in", ["rough", "mix", "master"])),
                        name="songversion_kind_known",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="songversion",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("number__gte", 1)), name="songversion_number_from_1"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="versionnote",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("at_seconds__gte", 0)), name="versionnote_time_positive"
                    ),
                ),
            ],
        ),
    ]
