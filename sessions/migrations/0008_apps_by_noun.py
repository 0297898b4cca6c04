"""The fields that name people, projects, songs and parts point at their new apps (the
tables are the same). No table changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0001_moved_here"),
        ("recording", "0007_take_song_rename_part_session_songs"),
        ("songs", "0001_moved_here"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="engagement",
                    name="person",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="engagements",
                        to="projects.person",
                    ),
                ),
                migrations.AlterField(
                    model_name="payeedetails",
                    name="person",
                    field=models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="payee",
                        to="projects.person",
                    ),
                ),
                migrations.AlterField(
                    model_name="payment",
                    name="person",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="payments",
                        to="projects.person",
                    ),
                ),
                migrations.AlterField(
                    model_name="payment",
                    name="project",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="payments",
                        to="projects.project",
                    ),
                ),
                migrations.AlterField(
                    model_name="paystatement",
                    name="project",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="pay_statements",
                        to="projects.project",
                    ),
                ),
                migrations.AlterField(
                    model_name="raterule",
                    name="project",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rate_rules",
                        to="projects.project",
                    ),
                ),
                migrations.AlterField(
                    model_name="session",
                    name="project",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="sessions",
                        to="projects.project",
                    ),
                ),
                migrations.AlterField(
                    model_name="session",
                    name="songs",
                    field=models.ManyToManyField(
                        blank=True, related_name="planned_sessions", to="songs.song"
                    ),
                ),
                migrations.AlterField(
                    model_name="take",
                    name="part",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="takes",
                        to="songs.part",
                    ),
                ),
                migrations.AlterField(
                    model_name="take",
                    name="song",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="takes",
                        to="songs.song",
                    ),
                ),
            ],
        ),
    ]
