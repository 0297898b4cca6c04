"""A person's details live on their cards only (0005 copied them); ``projects`` runs
through the cards, and the old link table goes.

Django cannot alter an M2M field to gain a ``through`` model, so the old field is removed and
the new one added under the same name: the cards already hold every link.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("studio", "0005_person_cards_copy")]

    operations = [
        migrations.RemoveField(model_name="person", name="email"),
        migrations.RemoveField(model_name="person", name="instruments"),
        migrations.RemoveField(model_name="person", name="notes"),
        migrations.RemoveField(model_name="person", name="phone"),
        migrations.RemoveField(model_name="person", name="projects"),
        migrations.AddField(
            model_name="person",
            name="projects",
            field=models.ManyToManyField(
                blank=True,
                related_name="people",
                through="studio.PersonCard",
                to="studio.project",
            ),
        ),
    ]
