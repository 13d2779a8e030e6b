"""The replica's rules that hold without one (chibo/replica.py); with a real replica: test_replica.py."""

from django.db import router
from django.urls import reverse

from chibo import replica
from dashboards.models import CellMonth


def test_without_a_replica_every_read_and_write_is_on_the_primary(db):
    assert not replica.configured()
    with replica.reads():
        assert router.db_for_read(CellMonth) == "default"
        assert router.db_for_write(CellMonth) == "default"


def test_without_a_replica_a_write_pins_nothing(client, secretary):
    client.force_login(secretary)
    response = client.post(reverse("members:text_size"), {"large": "1"})
    assert response.status_code == 302 and replica.COOKIE not in response.cookies
