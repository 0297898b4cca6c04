"""Give every take logged so far its board song: one Song per (project, song name) of the
existing takes, created in tracking (they were being recorded), and each take linked to it."""

from django.db import migrations


def link_takes(apps, schema_editor):
    Take = apps.get_model("recording", "Take")
    Song = apps.get_model("studio", "Song")
    songs = {}
    takes = Take.objects.filter(linked_song__isnull=True).select_related("session")
    for take in takes.iterator():
        name = take.song.strip()
        project_id = take.session.project_id
        if not name or project_id is None:
            continue
        key = (project_id, name)
        if key not in songs:
            songs[key], _ = Song.objects.get_or_create(
                project_id=project_id, title=name, defaults={"stage": "tracking"}
            )
        take.linked_song = songs[key]
        take.save(update_fields=["linked_song"])


class Migration(migrations.Migration):
    dependencies = [("recording", "0005_take_linked_song")]

    operations = [migrations.RunPython(link_takes, migrations.RunPython.noop)]
