"""Starting the minutes twice at once ends on the one minutes (issue 11: the second POST answered 500)."""

import threading
import time

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from minutes import workflow
from minutes.models import Minutes

from .conftest import local


@pytest.fixture
def meeting(cell, make_meeting):
    return make_meeting(cell, local(2026, 10, 3, 19, 30))


def post_start(user, meeting, results):
    try:
        client = Client(raise_request_exception=False)
        client.force_login(user)
        results.append(client.post(reverse("meetings:minutes_start", args=[meeting.pk])))
    finally:
        connection.close()


def waiting_on_a_lock():
    """Whether a session of this test database waits for a lock another one holds."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True)
def test_a_start_while_another_is_under_way_ends_on_the_same_minutes(meeting, secretary):
    """One start has created the minutes and not committed yet when the second POST arrives."""
    first_created, let_it_commit, results = threading.Event(), threading.Event(), []

    def first_start():
        try:
            with transaction.atomic():
                workflow.start(meeting)
                first_created.set()
                let_it_commit.wait(20)
        finally:
            connection.close()

    first = threading.Thread(target=first_start)
    first.start()
    assert first_created.wait(20)
    second = threading.Thread(target=post_start, args=(secretary, meeting, results))
    second.start()
    deadline = time.monotonic() + 20
    while not waiting_on_a_lock() and time.monotonic() < deadline:  # the second POST waits for the first
        time.sleep(0.05)
    let_it_commit.set()
    first.join(20)
    second.join(20)
    [response] = results
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:minutes_edit", args=[meeting.pk])
    assert Minutes.objects.filter(meeting=meeting).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_starts_both_answer_with_the_one_minutes(meeting, secretary, commune_admin):
    barrier, results = threading.Barrier(2), []

    def start_at_once(user):
        barrier.wait(20)
        post_start(user, meeting, results)

    threads = [threading.Thread(target=start_at_once, args=(user,)) for user in (secretary, commune_admin)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(response.status_code for response in results) == [302, 302]
    minutes = Minutes.objects.get(meeting=meeting)
    assert minutes.sections.count() == len(meeting.agenda_items.filter(section="body"))  # built once
