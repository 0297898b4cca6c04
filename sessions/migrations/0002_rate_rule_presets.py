"""Seed the preset rate rules (sessions.rates.PRESETS) every project may use."""

from django.db import migrations


def seed(apps, schema_editor):
    from sessions.rates import PRESETS

    RateRule = apps.get_model("recording", "RateRule")
    for preset in PRESETS:
        RateRule.objects.get_or_create(
            project=None, name=preset["name"], defaults={k: v for k, v in preset.items() if k != "name"}
        )


def unseed(apps, schema_editor):
    from sessions.rates import PRESETS

    RateRule = apps.get_model("recording", "RateRule")
    RateRule.objects.filter(project=None, name__in=[p["name"] for p in PRESETS]).delete()


class Migration(migrations.Migration):
    dependencies = [("recording", "0001_sessions_and_pay")]

    operations = [migrations.RunPython(seed, unseed)]
