"""The role matrix: one table in code, the same table in the README."""

import re
from pathlib import Path

import pytest

from projects.models import Role
from projects.permissions import CAPABILITY_LABELS, ROLE_MATRIX, Capability, has_capability
from tests.factories import MembershipFactory, ProjectFactory, UserFactory

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_capability_has_roles_and_a_label() -> None:
    assert set(ROLE_MATRIX) == set(Capability) == set(CAPABILITY_LABELS)
    for capability, roles in ROLE_MATRIX.items():
        assert Role.PRODUCER in roles, f"the producer must be able to {capability}"


def test_readme_role_matrix_matches_code() -> None:
    text = README.read_text()
    header = "| What | " + " | ".join(role.label for role in Role) + " |"
    assert header in text, "README lacks the role matrix header"
    for capability, roles in ROLE_MATRIX.items():
        marks = " | ".join("yes" if role in roles else "—" for role in Role)
        row = f"| {CAPABILITY_LABELS[capability]} (`{capability}`) | {marks} |"
        assert row in text, f"README row out of date: {row}"
    assert len(re.findall(r"^\| .*\(`[a-z]+\.[a-z]+`\) \|", text, flags=re.MULTILINE)) == len(
        ROLE_MATRIX
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_has_capability_follows_the_matrix(role: Role) -> None:
    project = ProjectFactory.create()
    user = UserFactory.create()
    MembershipFactory.create(project=project, user=user, role=role)
    stranger = UserFactory.create()
    for capability, roles in ROLE_MATRIX.items():
        assert has_capability(user, project, capability) is (role in roles)
        assert has_capability(stranger, project, capability) is False
