"""Rate rules of a project: their parameters checked for their kind."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction

from core.details import assign_details
from core.errors import Conflict
from projects.models import Project
from sessions import rates
from sessions.models import (
    RateRule,
)


def _rule_params(*, kind: str, params: object, currency: str) -> dict[str, str]:
    """The rule's parameters checked for its kind and kept as decimal strings."""
    try:
        values = rates.validate_params(kind, params, currency=currency)
    except rates.RuleError as error:
        raise ValidationError({"params": [f"{k}: {v}" for k, v in error.errors.items()]}) from error
    return {name: str(value) for name, value in values.items()}


class RateRuleChanges(TypedDict, total=False):
    """What an edit may change on a project's rate rule; it stays with its project."""

    name: str
    kind: str
    currency: str
    params: dict[str, object]
    source: str


@transaction.atomic
def rate_rule_create(
    *,
    project: Project,
    name: str,
    kind: str,
    currency: str,
    params: Mapping[str, object],
    source: str = "",
) -> RateRule:
    """A project's own rate rule, its parameters checked for its kind. Presets (no project)
    come with the app and are never written here."""
    rule = RateRule(
        project=project,
        name=name,
        kind=kind,
        currency=currency,
        params=_rule_params(kind=kind, params=dict(params), currency=currency),
        source=source,
    )
    rule.full_clean()
    rule.save()
    return rule


@transaction.atomic
def rate_rule_update(*, rule: RateRule, **fields: Unpack[RateRuleChanges]) -> RateRule:
    """Change a project's rule; engagements already priced keep the fee they were given."""
    if rule.project_id is None:
        raise ValidationError({"project": "Presets are shared: copy one into your project."})
    rule = RateRule.objects.select_for_update().get(pk=rule.pk)
    assign_details(rule, fields, RateRuleChanges)
    rule.params = _rule_params(kind=rule.kind, params=rule.params, currency=rule.currency)
    rule.full_clean()
    rule.save()
    return rule


@transaction.atomic
def rate_rule_delete(*, rule: RateRule) -> None:
    """Delete a project's own rule that prices no engagement. One that does stays: its
    engagements name it beside the fee it gave (a pay statement says which rule paid)."""
    if rule.project_id is None:
        raise ValidationError({"project": "Presets are shared: they come with the app."})
    # Locked, so that an engagement priced by it at the same moment waits and then finds it
    # gone, rather than the count below missing it.
    rule = RateRule.objects.select_for_update().get(pk=rule.pk)
    used = rule.engagements.count()
    if used:
        raise Conflict(
            f"Rate rule “{rule.name}” prices {used} engagement{'' if used == 1 else 's'}; "
            "it stays with them. Make a new rule for new engagements.",
            code="rate_rule_in_use",
        )
    rule.delete()


def rate_rule_presets_ensure() -> dict[str, RateRule]:
    """The preset rules every project may use (`rates.PRESETS`), by name, made again where one
    is missing. A migration seeds them; a database whose rows were removed since (a flush, an
    admin's delete) gets them back here instead of a demo or a test without its rules."""
    rules: dict[str, RateRule] = {}
    for preset in rates.PRESETS:
        name = str(preset["name"])
        rules[name], _ = RateRule.objects.get_or_create(
            project=None, name=name, defaults={k: v for k, v in preset.items() if k != "name"}
        )
    return rules
