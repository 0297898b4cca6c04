"""Writes with rules for sessions, in named parts: ``sessions`` (sessions, takes, gear checks),
``engagements`` (players and their fees), ``pay`` (payments, statements, payee details) and
``rate_rules``. Callers keep writing ``services.session_create(...)``.
"""

from sessions.services.engagements import (
    engagement_delete,
    engagement_quote,
    engagement_save,
)
from sessions.services.pay import (
    pay_statement_issue,
    payee_details_delete,
    payee_save,
    payment_approve,
    payment_pay,
)
from sessions.services.rate_rules import (
    RateRuleChanges,
    rate_rule_create,
    rate_rule_delete,
    rate_rule_presets_ensure,
    rate_rule_update,
)
from sessions.services.sessions import (
    SessionChanges,
    TakeChanges,
    TakeDetails,
    gear_check_delete,
    gear_check_record,
    gear_checks_record,
    session_create,
    session_delete,
    session_update,
    sessions_follow_booking,
    take_create,
    take_delete,
    take_update,
)

__all__ = [
    "RateRuleChanges",
    "SessionChanges",
    "TakeChanges",
    "TakeDetails",
    "engagement_delete",
    "engagement_quote",
    "engagement_save",
    "gear_check_delete",
    "gear_check_record",
    "gear_checks_record",
    "pay_statement_issue",
    "payee_details_delete",
    "payee_save",
    "payment_approve",
    "payment_pay",
    "rate_rule_create",
    "rate_rule_delete",
    "rate_rule_presets_ensure",
    "rate_rule_update",
    "session_create",
    "session_delete",
    "session_update",
    "sessions_follow_booking",
    "take_create",
    "take_delete",
    "take_update",
]
