"""Admin logins are throttled (django-axes): a few wrong passwords for one username from
one address lock that pair out with a 429, and a superuser unlocks it in the admin."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings

LOGIN = "/admin/login/?next=/admin/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def curator(django_user_model):
    return django_user_model.objects.create_user("curator", password="right-pw-1", is_staff=True)


def attempt(client, password, *, username="curator", address="203.0.113.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_a_few_wrong_passwords_lock_the_username_at_that_address_out(client, curator):
    limit = settings.AXES_FAILURE_LIMIT
    assert 3 <= limit <= 10
    for _ in range(limit - 1):
        response = attempt(client, "wrong")
        assert response.status_code == 200  # the form again, with its error
        assert b"Please enter the correct username and password" in response.content
    assert attempt(client, "wrong").status_code == 429  # the limit-th failure locks
    # Locked: even the right password is refused now, with a 429 ...
    locked = attempt(client, "right-pw-1")
    assert locked.status_code == 429
    assert b"too many" in locked.content.lower() or b"locked" in locked.content.lower()
    assert "_auth_user_id" not in client.session
    # ... but only for that username at that address.
    assert attempt(client, "right-pw-1", address="198.51.100.9").status_code == 302
    client.logout()
    assert attempt(client, "wrong", username="someone-else").status_code == 200


def test_a_success_before_the_limit_clears_the_count(client, curator):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "wrong")
    assert attempt(client, "right-pw-1").status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "wrong").status_code == 200


def test_a_superuser_unlocks_a_locked_out_login_in_the_admin(client, curator, django_user_model):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "wrong")
    assert attempt(client, "right-pw-1").status_code == 429
    lock = AccessAttempt.objects.get(username="curator")
    assert lock.ip_address == "203.0.113.7"

    admin = django_user_model.objects.create_superuser("root", password="root-pw-1")
    other = type(client)()
    other.force_login(admin)
    listing = other.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert b"curator" in listing.content
    confirm = other.get(f"/admin/axes/accessattempt/{lock.pk}/delete/")
    assert confirm.status_code == 200
    assert (
        other.post(f"/admin/axes/accessattempt/{lock.pk}/delete/", {"post": "yes"}).status_code
        == 302
    )
    assert not AccessAttempt.objects.exists()

    assert attempt(client, "right-pw-1").status_code == 302  # unlocked


def test_editors_do_not_see_the_lockouts(client, curator):
    client.force_login(curator)
    assert client.get("/admin/axes/accessattempt/").status_code == 403
