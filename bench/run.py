"""Run the benchmarks: `make bench` (or `python bench/run.py [name ...]`).

Each benchmark seeds its own rows into a throwaway database (SQLite under a temporary folder,
or a test database on the server DATABASE_URL names) and prints figures and ratios.
"""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, Python puts bench/ first on the path; the repository root belongs there.
sys.path[0] = str(ROOT)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
if not os.environ.get("DATABASE_URL"):
    os.environ["TRACKSHEET_VAR_DIR"] = tempfile.mkdtemp(prefix="tracksheet-bench-")


def main(names: list[str]) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    from bench import budgets, feeds, project_list, releases

    setup_test_environment()
    benchmarks = {
        "project_list": project_list.run,
        "feeds": feeds.run,
        "budgets": budgets.run,
        "releases": releases.run,
    }
    unknown = set(names) - set(benchmarks)
    if unknown:
        raise SystemExit(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    on_server = connection.vendor != "sqlite"
    if on_server:
        connection.creation.create_test_db(verbosity=0, autoclobber=True)
    else:
        call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}")
    try:
        for name, run in benchmarks.items():
            if not names or name in names:
                print(f"\n== {name}")
                run()
    finally:
        if on_server:
            connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)


if __name__ == "__main__":
    main(sys.argv[1:])
