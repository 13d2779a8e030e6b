import threading

import pytest
from django.db import connection, transaction
from django.db.models.signals import pre_save

from members.models import Member
from tests.conftest import make_user


@pytest.fixture
def deputy(cell, make_member):
    """The cell's deputy secretary, with a login."""
    user = make_user("deputy")
    make_member(cell, "Hoàng Văn Phó", position=Member.Position.DEPUTY, user=user, email=user.email)
    return user


@pytest.fixture
def meanwhile(transactional_db):
    """`meanwhile(Model, write)`: just before the request's next save of a `Model`, `write` runs in another
    connection and commits, like a second request that won the race between this form's checks and its save."""
    connected = []

    def arrange(model, write):
        def before_save(sender, **kwargs):
            pre_save.disconnect(before_save, sender=model)
            errors = []

            def other_request():
                try:
                    with transaction.atomic():
                        write()
                except BaseException as exc:  # re-raised in the test's thread
                    errors.append(exc)
                finally:
                    connection.close()

            thread = threading.Thread(target=other_request)
            thread.start()
            thread.join()
            if errors:
                raise errors[0]

        pre_save.connect(before_save, sender=model, weak=False)
        connected.append((before_save, model))

    yield arrange
    for receiver, model in connected:
        pre_save.disconnect(receiver, sender=model)
