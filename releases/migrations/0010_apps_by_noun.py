"""Versions, notes and listen links leave releases' state for ``songs`` (their tables stay);
the other fields point at the models' new apps. No table changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0001_moved_here"),
        ("releases", "0009_song_versions"),
        ("songs", "0001_moved_here"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="listenlink",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="listenlink",
                    name="version",
                ),
                migrations.RemoveField(
                    model_name="versionnote",
                    name="link",
                ),
                migrations.RemoveField(
                    model_name="songversion",
                    name="approved_by",
                ),
                migrations.RemoveField(
                    model_name="songversion",
                    name="song",
                ),
                migrations.RemoveField(
                    model_name="songversion",
                    name="uploaded_by",
                ),
                migrations.RemoveField(
                    model_name="versionnote",
                    name="resolved_in",
                ),
                migrations.RemoveField(
                    model_name="versionnote",
                    name="version",
                ),
                migrations.RemoveField(
                    model_name="versionnote",
                    name="author",
                ),
                migrations.RemoveField(
                    model_name="versionnote",
                    name="resolved_by",
                ),
                migrations.AlterField(
                    model_name="credit",
                    name="person",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="credits",
                        to="projects.person",
                    ),
                ),
                migrations.AlterField(
                    model_name="release",
                    name="project",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="releases",
                        to="projects.project",
                    ),
                ),
                migrations.AlterField(
                    model_name="split",
                    name="person",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="splits",
                        to="projects.person",
                    ),
                ),
                migrations.AlterField(
                    model_name="track",
                    name="song",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="tracks",
                        to="songs.song",
                    ),
                ),
                migrations.DeleteModel(
                    name="ListenPlay",
                ),
                migrations.DeleteModel(
                    name="ListenLink",
                ),
                migrations.DeleteModel(
                    name="SongVersion",
                ),
                migrations.DeleteModel(
                    name="VersionNote",
                ),
            ],
        ),
    ]
