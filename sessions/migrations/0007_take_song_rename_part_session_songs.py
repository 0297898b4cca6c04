"""Takes point at their board song as ``song`` (the typed name becomes ``song_name``); a take may
name its part of the tracking sheet; a session lists the songs planned for it.

Two renames, not a remove and an add, so every take keeps its name and its song link."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("recording", "0006_link_takes_to_songs"),
        ("studio", "0008_songs_parts_meetings_notices"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="take", name="take_unique_number"),
        migrations.RenameField(model_name="take", old_name="song", new_name="song_name"),
        migrations.RenameField(model_name="take", old_name="linked_song", new_name="song"),
        migrations.AddConstraint(
            model_name="take",
            constraint=models.UniqueConstraint(
                fields=("session", "song_name", "number"), name="take_unique_number"
            ),
        ),
        migrations.AlterModelOptions(
            name="take", options={"ordering": ["session_id", "song_name", "number"]}
        ),
        migrations.AddField(
            model_name="take",
            name="part",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="takes",
                to="studio.part",
            ),
        ),
        migrations.AddField(
            model_name="session",
            name="songs",
            field=models.ManyToManyField(
                blank=True, related_name="planned_sessions", to="studio.song"
            ),
        ),
    ]
