from typing import Any

from django.apps import AppConfig


class BudgetsConfig(AppConfig):
    name = "budgets"
    verbose_name = "Budgets"

    def ready(self) -> None:
        # Its panel on the project hub (projects.hub), its section of Today (projects.agenda), its
        # stage watcher drafting milestone invoices and each song's cost on its card
        # (songs.hooks).
        from budgets import agenda, cards, hub, milestones  # noqa: F401

    def load_demo(self, *, by: Any) -> None:
        """Called by `manage.py demo`: a budget, costs (mixing fees per song), an issued invoice
        and a billing plan with its deposit drafted."""
        from budgets.demo import load

        load(by=by)
