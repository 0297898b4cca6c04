"""The fields that name projects and songs point at their new apps (the tables are the
same). No table changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("budgets", "0010_billing_plans"),
        ("projects", "0001_moved_here"),
        ("songs", "0001_moved_here"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="billingplan",
                    name="project",
                    field=models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="billing_plan",
                        to="projects.project",
                    ),
                ),
                migrations.AlterField(
                    model_name="budget",
                    name="project",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="budgets",
                        to="projects.project",
                    ),
                ),
                migrations.AlterField(
                    model_name="cost",
                    name="project",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="costs",
                        to="projects.project",
                    ),
                ),
                migrations.AlterField(
                    model_name="cost",
                    name="song",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="costs",
                        to="songs.song",
                    ),
                ),
                migrations.AlterField(
                    model_name="invoice",
                    name="project",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="invoices",
                        to="projects.project",
                    ),
                ),
            ],
        ),
    ]
