"""The page chrome's role checks: what the main menu offers the signed-in user.

The menu is on every page, so its answer is cached for a minute per user: a page costs no
query for it, and a new role shows in the menu a minute later at most. The pages themselves
check the role on every request; the menu only saves a click that would end in a refusal.
"""

from typing import Any

from django import template
from django.core.cache import cache

from projects.permissions import Capability, projects_with

register = template.Library()

MENU_CACHE_SECONDS = 60


@register.simple_tag(takes_context=True)
def sees_money(context: dict[str, Any]) -> bool:
    """Whether the user's role on any project lets them see budgets, costs and invoices."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    key = f"chrome:budget.view:{user.pk}"
    answer = cache.get(key)
    if answer is None:
        answer = projects_with(user, Capability.BUDGET_VIEW).exists()
        cache.set(key, answer, MENU_CACHE_SECONDS)
    return bool(answer)
