"""REST API of sessions, in parts: rate rules, sessions (with takes and gear checks),
engagements (with quotes and pay statements), and the payments engagements produce."""

from sessions.api.engagements import EngagementViewSet
from sessions.api.payments import PayeeDetailsViewSet, PaymentViewSet
from sessions.api.rates import RateRuleViewSet
from sessions.api.sessions import GearCheckViewSet, SessionViewSet, TakeViewSet

__all__ = [
    "EngagementViewSet",
    "GearCheckViewSet",
    "PayeeDetailsViewSet",
    "PaymentViewSet",
    "RateRuleViewSet",
    "SessionViewSet",
    "TakeViewSet",
]
