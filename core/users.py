"""Who is asking: the type every permission check and selector takes."""

from typing import TYPE_CHECKING, TypeAlias

from django.contrib.auth.models import AnonymousUser

if TYPE_CHECKING:
    from django.contrib.auth.models import User

AnyUser: TypeAlias = "User | AnonymousUser"
