"""A database from before the apps by noun migrates forward with every row kept.

``tests/data/before_apps_by_noun.json`` holds a demo database as the code before the restructure
wrote it, with a group, direct permissions, an API token, admin log entries, song writers and a
second studio added so that every kind of link that moves has rows. The test takes the test
database back to the migrations of that time, loads the rows through the models of that time,
migrates forward and compares every table. The moved models' content types keep their ids under
the new app labels, so permissions and the admin's log follow them.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from django.apps.registry import Apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Model

from budgets.models import Cost
from projects.models import Person, Project
from sessions.models import Take
from songs.models import Song, SongVersion

FIXTURE = Path(__file__).parent / "data" / "before_apps_by_noun.json"

# The last migration of each project app before the restructure. The apps the restructure made
# have none: they go back to zero. Every other app keeps its newest migration.
BEFORE: dict[str, str | None] = {
    "studio": "0008_songs_parts_meetings_notices",
    "releases": "0009_song_versions",
    "recording": "0007_take_song_rename_part_session_songs",
    "budgets": "0010_billing_plans",
    "projects": None,
    "songs": None,
}

# The models that moved, as (old app label, model): their new app label.
MOVED = {
    **{
        ("studio", model): "projects"
        for model in [
            "person",
            "personcard",
            "project",
            "membership",
            "meeting",
            "notice",
            "noticepreference",
        ]
    },
    **{("studio", model): "songs" for model in ["song", "songstagechange", "part", "songpart"]},
    **{
        ("releases", model): "songs"
        for model in ["songversion", "listenlink", "versionnote", "listenplay"]
    },
}

# On PostgreSQL an issued invoice takes no new lines (budgets.0006), so the lines go in before
# their invoices. Every other model goes in the fixture's order.
LOAD_FIRST = ["budgets.invoiceline"]

Row = tuple[Any, ...]
Snapshot = dict[str, list[Row]]


def _migrate(targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def _tables(models: list[type[Model]]) -> dict[str, str]:
    """Each model's table and each of its automatic many-to-many tables, with its key column."""
    tables = {}
    for model in models:
        tables[model._meta.db_table] = model._meta.pk.column
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            if through is not None and through._meta.auto_created:
                tables[through._meta.db_table] = through._meta.pk.column
    return tables


def _rows(sql: str) -> list[Row]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [tuple(row) for row in cursor.fetchall()]


def _columns(table: str) -> list[str]:
    with connection.cursor() as cursor:
        return [c.name for c in connection.introspection.get_table_description(cursor, table)]


def _snapshot(tables: dict[str, str], columns: dict[str, list[str]]) -> Snapshot:
    """Every row of each table, in key order, read in plain SQL: the columns the table had
    before (later migrations may add others). The fixture is small: comparing all rows costs
    little more than comparing the count and the first and last."""
    quote = connection.ops.quote_name
    # The names come from the models and the database, not from input.
    return {
        table: _rows(
            f"SELECT {', '.join(map(quote, columns[table]))} FROM {quote(table)} "  # noqa: S608
            f"ORDER BY {quote(key)}"
        )
        for table, key in sorted(tables.items())
    }


def _empty(apps: Apps) -> None:
    """Empties every table of the old state, as a database of that time would start."""
    tables = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
    for sql in connection.ops.sql_flush(no_style(), sorted(tables)):
        with connection.cursor() as cursor:
            cursor.execute(sql)


def _insert(model: type[Model], objs: list[Model], *, with_key: bool = True) -> None:
    """Inserts the rows as they are: a raw insert (the one a fixture load makes through
    ``save_base(raw=True)``), so creation and update times are not stamped with the time of the
    test, and no signal runs for models that exist only in the old state."""
    fields = [f for f in model._meta.concrete_fields if with_key or not f.primary_key]
    size = connection.ops.bulk_batch_size(fields, objs) or len(objs)
    for start in range(0, len(objs), size):
        model._base_manager._insert(  # type: ignore[attr-defined]
            objs[start : start + size], fields=fields, using=connection.alias, raw=True
        )


def _load(apps: Apps, records: list[dict[str, Any]]) -> list[type[Model]]:
    """Loads the fixture through the models of the old state: foreign keys by their columns,
    many-to-many links as rows of their tables. Returns the models loaded."""
    by_label: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        by_label[record["model"]].append(record)
    labels = sorted(by_label, key=lambda label: label not in LOAD_FIRST)
    models = []
    for label in labels:
        model = apps.get_model(label)
        models.append(model)
        objs = []
        links: dict[Any, list[Model]] = defaultdict(list)
        for record in by_label[label]:
            obj = model()
            obj.pk = model._meta.pk.to_python(record["pk"])
            for name, value in record["fields"].items():
                field = model._meta.get_field(name)
                if field.many_to_many:
                    through = field.remote_field.through
                    source = through._meta.get_field(field.m2m_field_name()).attname
                    target = through._meta.get_field(field.m2m_reverse_field_name()).attname
                    links[field].extend(through(**{source: obj.pk, target: v}) for v in value)
                else:
                    setattr(obj, field.attname, field.to_python(value))
            objs.append(obj)
        _insert(model, objs)
        for field, rows in links.items():
            if rows:
                _insert(field.remote_field.through, rows, with_key=False)
    # Later inserts through the models take the next free keys, as after a fixture load.
    for sql in connection.ops.sequence_reset_sql(no_style(), models):
        with connection.cursor() as cursor:
            cursor.execute(sql)
    return models


def _content_types() -> list[Row]:
    return _rows("SELECT id, app_label, model FROM django_content_type ORDER BY id")


def _fields(records: list[dict[str, Any]], label: str) -> dict[Any, dict[str, Any]]:
    """The fixture's rows of one model: their fields by key."""
    return {r["pk"]: r["fields"] for r in records if r["model"] == label}


# Transactional: the migrations change the recorded state of the database and run outside a
# test's transaction. The database is left at the newest migrations whatever happens.
@pytest.mark.django_db(transaction=True)
def test_an_old_database_migrates_forward_with_every_row_kept() -> None:
    records = json.loads(FIXTURE.read_text())
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    back = [(app, BEFORE.get(app, name)) for app, name in leaves]
    try:
        executor = _migrate(back)
        old = executor.loader.project_state([t for t in back if t[1] is not None]).apps
        # One transaction: the foreign keys are checked at its end, when every row is in.
        with transaction.atomic():
            _empty(old)
            models = _load(old, records)
        tables = _tables(models)
        # The content types are the one table the move changes: they are checked on their own.
        tables.pop(ContentType._meta.db_table)
        columns = {table: _columns(table) for table in tables}
        before = _snapshot(tables, columns)
        content_types = _content_types()
        old_ids = {(app_label, model): pk for pk, app_label, model in content_types}
        assert set(MOVED) <= set(old_ids), "the fixture has a content type for each moved model"

        _migrate(leaves)
        ContentType.objects.clear_cache()

        after = _snapshot(tables, columns)
        assert sorted(after) == sorted(before)
        for table, rows in before.items():
            assert after[table] == rows, f"{table} is not as it was"
        # Every content type keeps its id; the moved ones carry their new app label.
        expected = [
            (pk, MOVED.get((label, model), label), model) for pk, label, model in content_types
        ]
        assert _content_types() == expected
        for (label, model), new in MOVED.items():
            assert ContentType.objects.get(app_label=new, model=model).pk == old_ids[label, model]
            assert not ContentType.objects.filter(app_label=label, model=model).exists()
        assert ContentType.objects.get_for_model(Project).pk == old_ids["studio", "project"]
        assert (
            ContentType.objects.get_for_model(SongVersion).pk == old_ids["releases", "songversion"]
        )

        # Today's models read the rows.
        projects = _fields(records, "studio.project")
        low_tide = next(pk for pk, f in projects.items() if f["title"] == "Low Tide Sessions")
        project = Project.objects.get(title="Low Tide Sessions")
        assert project.pk == low_tide
        assert sorted(project.studios.values_list("pk", flat=True)) == sorted(
            projects[low_tide]["studios"]
        )
        assert len(projects[low_tide]["studios"]) == 2
        assert Project.objects.count() == len(projects)
        assert Person.objects.count() == len(_fields(records, "studio.person"))
        songs = _fields(records, "studio.song")
        assert Song.objects.count() == len(songs)
        for pk, fields in songs.items():
            assert sorted(Song.objects.get(pk=pk).writers.values_list("pk", flat=True)) == sorted(
                fields["writers"]
            )
        assert SongVersion.objects.count() == len(_fields(records, "releases.songversion"))
        assert SongVersion.objects.filter(song__project=project).exists()
        takes = {pk: f for pk, f in _fields(records, "recording.take").items() if f["song"]}
        take = Take.objects.select_related("song").get(pk=min(takes))
        assert isinstance(take.song, Song)
        assert take.song.pk == takes[take.pk]["song"]
        costs = {pk: f for pk, f in _fields(records, "budgets.cost").items() if f["song"]}
        cost = Cost.objects.select_related("song").get(pk=min(costs))
        assert isinstance(cost.song, Song)
        assert cost.song.pk == costs[cost.pk]["song"]

        # Permissions follow their content types: given directly and through a group.
        kit = get_user_model().objects.get(username="kit")
        assert kit.has_perm("songs.change_song")
        assert kit.has_perm("projects.change_meeting")
        assert kit.has_perm("projects.view_project")
        assert kit.has_perm("songs.view_songversion")
        assert not kit.has_perm("studio.change_song")
        # The admin's log entries name the moved objects through the same content types.
        entries = LogEntry.objects.select_related("content_type")
        assert entries.count() == len(_fields(records, "admin.logentry"))
        edited = {type(entry.get_edited_object()) for entry in entries}
        assert {Project, Person, Song, SongVersion} <= edited

        # What `migrate` runs after the migrations makes no second content type or permission
        # (models added since, which the old database never had, get their first ones).
        ids = {pk for pk, _, _ in expected}
        permissions = Permission.objects.filter(content_type_id__in=ids).count()
        emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
        now = _content_types()
        assert [row for row in now if row[0] in ids] == expected
        added = {(label, model) for pk, label, model in now if pk not in ids}
        assert not added & {(label, model) for _, label, model in expected}
        assert not {model for _, model in added} & {model for _, model in MOVED}
        assert Permission.objects.filter(content_type_id__in=ids).count() == permissions
    finally:
        _migrate(leaves)
        ContentType.objects.clear_cache()
