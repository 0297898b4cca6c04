from typing import Any

from django.apps import AppConfig


class BudgetsConfig(AppConfig):
    name = "budgets"
    verbose_name = "Budgets"

    def ready(self) -> None:
        # Its panel on the project hub (studio.hub) and its section of Today (studio.agenda).
        from budgets import agenda, hub  # noqa: F401

    def load_demo(self, *, by: Any) -> None:
        """Called by `manage.py demo`: a budget, some costs and an issued invoice."""
        from budgets.demo import load

        load(by=by)
