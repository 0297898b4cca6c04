"""Deleting studios, rooms and gear (studio_delete, room_delete, gear_delete) through the API
and the admin, and rotating or revoking the API token from the account page."""

import datetime
from typing import Any

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from projects import services as project_services
from projects.models import Project
from sessions import services as session_services
from sessions.models import GearCheck
from studio import services
from studio.models import Booking, FeedToken, Gear, Room, Studio
from tests.clock import upcoming
from tests.factories import GearFactory, UserFactory
from tests.studio import test_api_studios

pytestmark = pytest.mark.django_db


# The studio API tests' fixtures: a studio the owner manages and the project uses, its room
# A and a tube mic kept there.
studio, room, gear = test_api_studios.studio, test_api_studios.room, test_api_studios.gear


def book(owner: Any, room: Room, project: Project, gear: tuple[Gear, ...] = ()) -> Booking:
    start = upcoming(days=7, hour=10)
    [booking] = services.booking_create(
        by=owner,
        room=room,
        project=project,
        start=start,
        end=start + datetime.timedelta(hours=4),
        gear=gear,
    )
    return booking


def checked(project: Project, room: Room, gear: Gear) -> GearCheck:
    """A session held in the room (no booking), with the gear checked on it."""
    start = upcoming(days=3, hour=14)
    session = session_services.session_create(
        project=project,
        title="Overdubs",
        room=room,
        start=start,
        end=start + datetime.timedelta(hours=3),
    )
    return session_services.gear_check_record(session=session, gear=gear, result="ok")


# --- studios ------------------------------------------------------------------------------------


def test_studio_delete_takes_its_rooms_gear_and_feeds(
    as_owner: APIClient, owner: Any, studio: Studio, room: Room, gear: Gear, project: Project
) -> None:
    feed = services.feed_token_create(owner=owner, target=room)

    response = as_owner.delete(f"/api/v1/studios/{studio.pk}/")

    assert response.status_code == 204
    assert not Studio.objects.filter(pk=studio.pk).exists()
    assert not Room.objects.filter(pk=room.pk).exists()
    assert not Gear.objects.filter(pk=gear.pk).exists()
    assert not FeedToken.objects.filter(pk=feed.pk).exists()
    assert list(project.studios.all()) == []


def test_a_booked_studio_is_kept(
    as_owner: APIClient, owner: Any, studio: Studio, room: Room, gear: Gear, project: Project
) -> None:
    book(owner, room, project)

    response = as_owner.delete(f"/api/v1/studios/{studio.pk}/")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Harbour Test's rooms and gear are named by 1 booking; a studio that was used "
        "keeps its history. Set its rooms inactive instead."
    }
    assert Studio.objects.filter(pk=studio.pk).exists()
    assert Room.objects.filter(pk=room.pk).exists()
    assert Gear.objects.filter(pk=gear.pk).exists()


def test_a_studio_whose_room_held_a_session_is_kept(
    as_owner: APIClient, studio: Studio, room: Room, gear: Gear, project: Project
) -> None:
    checked(project, room, gear)

    response = as_owner.delete(f"/api/v1/studios/{studio.pk}/")

    assert response.status_code == 409
    assert response.json()["detail"] == (
        "Harbour Test's rooms and gear are named by 1 session and 1 gear check; a studio that "
        "was used keeps its history. Set its rooms inactive instead."
    )
    assert Studio.objects.filter(pk=studio.pk).exists()
    assert GearCheck.objects.count() == 1


def test_only_a_manager_deletes_a_studio(
    as_collaborator: APIClient, as_outsider: APIClient, studio: Studio, room: Room
) -> None:
    refused = as_collaborator.delete(f"/api/v1/studios/{studio.pk}/")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only the studio's managers may change it."
    assert as_outsider.delete(f"/api/v1/studios/{studio.pk}/").status_code == 404
    assert Studio.objects.filter(pk=studio.pk).exists()
    assert Room.objects.filter(pk=room.pk).exists()


def test_the_service_refuses_a_non_manager(collaborator: Any, studio: Studio) -> None:
    """The service's own check, for callers that do not go through the API's permission."""
    with pytest.raises(Exception, match="Only Harbour Test's managers may change it"):
        services.studio_delete(studio=studio, by=collaborator)
    assert Studio.objects.filter(pk=studio.pk).exists()


# --- rooms --------------------------------------------------------------------------------------


def test_room_delete_keeps_its_gear_in_the_studio(
    as_owner: APIClient, owner: Any, studio: Studio, room: Room, gear: Gear
) -> None:
    feed = services.feed_token_create(owner=owner, target=room)

    response = as_owner.delete(f"/api/v1/rooms/{room.pk}/")

    assert response.status_code == 204
    assert not Room.objects.filter(pk=room.pk).exists()
    assert not FeedToken.objects.filter(pk=feed.pk).exists()
    gear.refresh_from_db()
    assert (gear.studio_id, gear.room_id) == (studio.pk, None)


def test_a_booked_room_is_kept(
    as_owner: APIClient, owner: Any, room: Room, project: Project
) -> None:
    booking = book(owner, room, project)
    services.booking_cancel(booking=booking)  # a cancelled booking still names it

    response = as_owner.delete(f"/api/v1/rooms/{room.pk}/")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Room A is named by 1 booking; set it inactive instead, so their records keep it."
    }
    assert Room.objects.filter(pk=room.pk).exists()


def test_a_room_that_held_a_session_is_kept(
    as_owner: APIClient, room: Room, gear: Gear, project: Project
) -> None:
    checked(project, room, gear)

    response = as_owner.delete(f"/api/v1/rooms/{room.pk}/")

    assert response.status_code == 409
    assert response.json()["detail"] == (
        "Room A is named by 1 session; set it inactive instead, so their records keep it."
    )
    assert Room.objects.filter(pk=room.pk).exists()


def test_only_a_manager_deletes_a_room(
    as_collaborator: APIClient, as_outsider: APIClient, room: Room
) -> None:
    refused = as_collaborator.delete(f"/api/v1/rooms/{room.pk}/")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only the studio's managers may change it."
    assert as_outsider.delete(f"/api/v1/rooms/{room.pk}/").status_code == 404
    assert Room.objects.filter(pk=room.pk).exists()


# --- gear ---------------------------------------------------------------------------------------


def test_gear_delete(as_owner: APIClient, gear: Gear) -> None:
    assert as_owner.delete(f"/api/v1/gear/{gear.pk}/").status_code == 204
    assert not Gear.objects.filter(pk=gear.pk).exists()


def test_booked_gear_is_kept(
    as_owner: APIClient, owner: Any, room: Room, gear: Gear, project: Project
) -> None:
    booking = book(owner, room, project, gear=(gear,))

    response = as_owner.delete(f"/api/v1/gear/{gear.pk}/")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Tube mic is named by 1 booking; retire it instead (status Retired), so "
        "their records keep it."
    }
    assert list(booking.gear.all()) == [gear]


def test_checked_gear_is_kept(
    as_owner: APIClient, room: Room, gear: Gear, project: Project
) -> None:
    check = checked(project, room, gear)

    response = as_owner.delete(f"/api/v1/gear/{gear.pk}/")

    assert response.status_code == 409
    assert response.json()["detail"] == (
        "Tube mic is named by 1 gear check; retire it instead (status Retired), so their "
        "records keep it."
    )
    assert GearCheck.objects.filter(pk=check.pk).exists()


def test_only_a_manager_deletes_gear(
    as_collaborator: APIClient, as_outsider: APIClient, gear: Gear
) -> None:
    refused = as_collaborator.delete(f"/api/v1/gear/{gear.pk}/")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only the studio's managers may change it."
    assert as_outsider.delete(f"/api/v1/gear/{gear.pk}/").status_code == 404
    assert Gear.objects.filter(pk=gear.pk).exists()


# --- the admin deletes through the same services ------------------------------------------------


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(UserFactory.create(username="root", is_staff=True, is_superuser=True))
    return client


def test_admin_deletes_unused_gear(admin_client: Client, gear: Gear) -> None:
    response = admin_client.post(f"/admin/studio/gear/{gear.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Gear.objects.filter(pk=gear.pk).exists()


def test_admin_refuses_booked_gear_with_the_services_message(
    admin_client: Client, owner: Any, room: Room, gear: Gear, project: Project
) -> None:
    book(owner, room, project, gear=(gear,))

    response = admin_client.post(
        f"/admin/studio/gear/{gear.pk}/delete/", {"post": "yes"}, follow=True
    )

    assert response.redirect_chain == [(f"/admin/studio/gear/{gear.pk}/change/", 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Tube mic is named by 1 booking; retire it instead (status Retired), so their records "
        "keep it."
    ]
    assert Gear.objects.filter(pk=gear.pk).exists()
    assert not LogEntry.objects.filter(action_flag=DELETION).exists()


def test_admin_bulk_delete_is_all_or_nothing(
    admin_client: Client, owner: Any, studio: Studio, room: Room, gear: Gear, project: Project
) -> None:
    spare = GearFactory.create(studio=studio, name="Spare cable")
    book(owner, room, project, gear=(gear,))

    response = admin_client.post(
        "/admin/studio/gear/",
        {"action": "delete_selected", "_selected_action": [spare.pk, gear.pk], "post": "yes"},
        follow=True,
    )

    assert response.status_code == 200
    assert "retire it instead" in " ".join(str(m) for m in response.context["messages"])
    assert Gear.objects.filter(pk__in=[spare.pk, gear.pk]).count() == 2
    assert not LogEntry.objects.filter(action_flag=DELETION).exists()


# --- the API token ------------------------------------------------------------------------------


def test_token_rotation_replaces_the_key(owner: Any) -> None:
    client = Client()
    client.force_login(owner)
    old = Token.objects.create(user=owner)

    response = client.post("/account/token/new/")

    assert response.status_code == 302
    [new] = Token.objects.filter(user=owner)
    assert new.key != old.key
    old_key = APIClient(HTTP_AUTHORIZATION=f"Token {old.key}")
    new_key = APIClient(HTTP_AUTHORIZATION=f"Token {new.key}")
    assert old_key.get("/api/v1/projects/").status_code == 401
    assert new_key.get("/api/v1/projects/").status_code == 200


def test_token_revoke(owner: Any) -> None:
    client = Client()
    client.force_login(owner)
    project_services.token_rotate(user=owner)

    assert client.post("/account/token/revoke/").status_code == 302
    assert not Token.objects.filter(user=owner).exists()
    assert project_services.token_revoke(user=owner) is False


def test_token_pages_need_a_login(owner: Any) -> None:
    response = Client().post("/account/token/new/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Token.objects.exists()


# --- the edit pages' delete ---------------------------------------------------------------------


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_manager_deletes_an_unused_room_and_item_from_their_pages(
    owner: Any, room: Room, gear: Gear
) -> None:
    client = signed_in(owner)
    assert (
        f'action="/studios/rooms/{room.pk}/delete/"'
        in client.get(f"/studios/rooms/{room.pk}/edit/").content.decode()
    )
    gone = client.post(f"/studios/gear/{gear.pk}/delete/", follow=True)
    assert gone.redirect_chain == [(f"/studios/{gear.studio_id}/", 302)]
    assert "Deleted Tube mic." in gone.content.decode()
    gone = client.post(f"/studios/rooms/{room.pk}/delete/", follow=True)
    assert gone.redirect_chain == [(f"/studios/{room.studio_id}/", 302)]
    assert "Deleted A." in gone.content.decode()
    assert not Room.objects.filter(pk=room.pk).exists()
    assert not Gear.objects.filter(pk=gear.pk).exists()


def test_a_booked_room_is_kept_and_the_page_says_why(
    owner: Any, room: Room, project: Project
) -> None:
    book(owner, room, project)
    kept = signed_in(owner).post(f"/studios/rooms/{room.pk}/delete/", follow=True)
    assert kept.redirect_chain == [(f"/studios/rooms/{room.pk}/edit/", 302)]
    assert (
        "Room A is named by 1 booking; set it inactive instead, so their records keep it."
        in kept.content.decode()
    )
    assert Room.objects.filter(pk=room.pk).exists()


def test_only_a_manager_deletes_from_the_pages(
    collaborator: Any, outsider: Any, owner: Any, room: Room, gear: Gear
) -> None:
    assert signed_in(collaborator).post(f"/studios/rooms/{room.pk}/delete/").status_code == 403
    assert signed_in(outsider).post(f"/studios/gear/{gear.pk}/delete/").status_code == 404
    assert signed_in(owner).get(f"/studios/rooms/{room.pk}/delete/").status_code == 405
    assert Room.objects.filter(pk=room.pk).exists() and Gear.objects.filter(pk=gear.pk).exists()
