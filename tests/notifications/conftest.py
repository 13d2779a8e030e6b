"""The meetings fixtures, for messages about meetings, and the providers played by a local HTTP server."""

import pytest
import time_machine

from meetings import services
from members.models import Member
from notifications.models import Message
from notifications.tasks import deliver_message
from tests.meetings.conftest import local, make_meeting  # noqa: F401

NOW = "2026-11-20 09:00 +0700"


@pytest.fixture
def invite(cell, make_meeting, secretary):  # noqa: F811
    """Confirm a meeting for one member (besides the secretary, who has no phone) and return their message."""

    def make(**contact):
        Member.objects.filter(cell=cell).exclude(user=secretary).delete()
        invitee = Member.objects.create(
            cell=cell, full_name="Nguyễn Thị Lan", gender="female", admitted_on="1990-01-01",
            official_on="1991-01-01", **contact,
        )  # fmt: skip
        with time_machine.travel(NOW, tick=False):
            meeting = make_meeting(cell, local(2026, 12, 3, 19, 30), place="Nhà văn hóa thôn Đông")
            services.confirm(meeting)
            message = Message.objects.get(meeting=meeting, member=invitee, kind=Message.Kind.INVITATION)
            deliver_message.apply(args=[message.pk])
        return message

    return make


def deliveries(message):
    return list(message.deliveries.order_by("pk").values_list("channel", "status"))
