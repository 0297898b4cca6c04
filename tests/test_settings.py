"""The settings run on a laptop with nothing set, and pass `check --deploy` in production."""

import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE (same worker process) is theirs alone.
        if k
        not in {
            "DATABASE_URL",
            "CELERY_BROKER_URL",
            "SECRET_KEY",
            "DEBUG",
            "HTTPS",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    return subprocess.run(  # our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_secret_key_is_generated_once_into_var(tmp_path: Path) -> None:
    env = {"TRACKSHEET_VAR_DIR": str(tmp_path)}
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = run_manage("shell", "--no-imports", "-c", code, env=env)
    second = run_manage("shell", "--no-imports", "-c", code, env=env)
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "secret_key"
    assert first.stdout.strip() == second.stdout.strip() == key_file.read_text()
    assert len(key_file.read_text()) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_laptop_defaults(tmp_path: Path) -> None:
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.MEDIA_ROOT)"
    )
    result = run_manage(
        "shell", "--no-imports", "-c", code, env={"TRACKSHEET_VAR_DIR": str(tmp_path)}
    )
    assert result.stdout.split() == [
        "False",
        "django.db.backends.sqlite3",
        "True",
        str(tmp_path / "media"),
    ]


def test_production_variables_switch_database_and_broker(tmp_path: Path) -> None:
    code = (
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL)"
    )
    env = {
        "TRACKSHEET_VAR_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://app@db.internal:5432/tracksheet",
        "CELERY_BROKER_URL": "amqp://guest:guest@mq.internal:5672//",
    }
    result = run_manage("shell", "--no-imports", "-c", code, env=env)
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "False",
        "amqp://guest:guest@mq.internal:5672//",
    ]


def test_check_deploy_is_clean_with_production_variables(tmp_path: Path) -> None:
    env = {
        "TRACKSHEET_VAR_DIR": str(tmp_path),
        "SECRET_KEY": "k" * 20 + "-production-secret-" + "q7Zp" * 10,
        "ALLOWED_HOSTS": "tracksheet.example.com",
        "HTTPS": "true",
        "DDEX_SENDER_DPID": "PADPIDA2026010101A",
        "DDEX_SENDER_NAME": "Driftwood Records",
        "DDEX_RECIPIENT_DPID": "PADPIDA2026010102B",
        "DDEX_RECIPIENT_NAME": "Invented Distribution",
    }
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_without_them(tmp_path: Path) -> None:
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env={"TRACKSHEET_VAR_DIR": str(tmp_path)}
    )
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT" in result.stdout + result.stderr
