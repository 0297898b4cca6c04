"""The models that moved to ``projects`` and ``songs`` leave studio's state (their tables
stay, under the same names), and ``Project.studios`` becomes ``Studio.projects`` on the same
table. Content types, and with them permissions and the admin's log, follow the models."""

import django.db.models.deletion
from django.db import migrations, models

MOVED = {
    "studio": {
        "projects": [
            "person",
            "personcard",
            "project",
            "membership",
            "meeting",
            "notice",
            "noticepreference",
        ],
        "songs": ["song", "songstagechange", "part", "songpart"],
    },
    "releases": {"songs": ["songversion", "listenlink", "versionnote", "listenplay"]},
}


def _move(apps, from_to):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for old, new, model in from_to:
        moved = ContentType.objects.filter(app_label=old, model=model).first()
        if moved is None:
            continue  # a new database: post_migrate makes the new one
        # A content type made under the new label before this ran has nothing of value:
        # the old one keeps its permissions and the admin's log entries.
        ContentType.objects.filter(app_label=new, model=model).delete()
        moved.app_label = new
        moved.save(update_fields=["app_label"])


def content_types_follow(apps, schema_editor):
    _move(apps, [(old, new, m) for old, by in MOVED.items() for new, ms in by.items() for m in ms])


def content_types_back(apps, schema_editor):
    _move(apps, [(new, old, m) for old, by in MOVED.items() for new, ms in by.items() for m in ms])


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("budgets", "0011_apps_by_noun"),
        ("projects", "0001_moved_here"),
        ("recording", "0008_apps_by_noun"),
        ("releases", "0010_apps_by_noun"),
        ("studio", "0008_songs_parts_meetings_notices"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="membership",
                    name="project",
                ),
                migrations.RemoveField(
                    model_name="membership",
                    name="user",
                ),
                migrations.RemoveField(
                    model_name="project",
                    name="members",
                ),
                migrations.RemoveField(
                    model_name="notice",
                    name="person",
                ),
                migrations.RemoveField(
                    model_name="noticepreference",
                    name="person",
                ),
                migrations.RemoveField(
                    model_name="part",
                    name="project",
                ),
                migrations.RemoveField(
                    model_name="songpart",
                    name="part",
                ),
                migrations.RemoveField(
                    model_name="person",
                    name="projects",
                ),
                migrations.RemoveField(
                    model_name="person",
                    name="user",
                ),
                migrations.RemoveField(
                    model_name="song",
                    name="holder",
                ),
                migrations.RemoveField(
                    model_name="song",
                    name="writers",
                ),
                migrations.AlterField(
                    model_name="booking",
                    name="engineer",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="engineered",
                        to="projects.person",
                    ),
                ),
                migrations.AlterField(
                    model_name="feedtoken",
                    name="person",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        to="projects.person",
                    ),
                ),
                migrations.RemoveField(
                    model_name="personcard",
                    name="person",
                ),
                migrations.RemoveField(
                    model_name="personcard",
                    name="project",
                ),
                migrations.RemoveField(
                    model_name="project",
                    name="studios",
                ),
                migrations.RemoveField(
                    model_name="song",
                    name="project",
                ),
                migrations.AlterField(
                    model_name="booking",
                    name="project",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="bookings",
                        to="projects.project",
                    ),
                ),
                migrations.AlterField(
                    model_name="feedtoken",
                    name="project",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        to="projects.project",
                    ),
                ),
                migrations.RemoveField(
                    model_name="songstagechange",
                    name="song",
                ),
                migrations.RemoveField(
                    model_name="songpart",
                    name="song",
                ),
                migrations.RemoveField(
                    model_name="songpart",
                    name="updated_by",
                ),
                migrations.RemoveField(
                    model_name="songstagechange",
                    name="by",
                ),
                migrations.AddField(
                    model_name="studio",
                    name="projects",
                    field=models.ManyToManyField(
                        blank=True,
                        db_table="studio_project_studios",
                        help_text="Productions that use this studio.",
                        related_name="studios",
                        to="projects.project",
                    ),
                ),
                migrations.DeleteModel(
                    name="Meeting",
                ),
                migrations.DeleteModel(
                    name="Membership",
                ),
                migrations.DeleteModel(
                    name="Notice",
                ),
                migrations.DeleteModel(
                    name="NoticePreference",
                ),
                migrations.DeleteModel(
                    name="Part",
                ),
                migrations.DeleteModel(
                    name="Person",
                ),
                migrations.DeleteModel(
                    name="PersonCard",
                ),
                migrations.DeleteModel(
                    name="Project",
                ),
                migrations.DeleteModel(
                    name="Song",
                ),
                migrations.DeleteModel(
                    name="SongPart",
                ),
                migrations.DeleteModel(
                    name="SongStageChange",
                ),
            ],
        ),
        migrations.RunPython(content_types_follow, content_types_back),
    ]
