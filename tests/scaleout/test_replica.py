"""Dashboards read from a real streaming replica, and a user sees their own change at once
(real_replica_check.py, against the pair scripts/with_services.py starts)."""

import os

from .conftest import missing, run_inner, with_database


def test_dashboards_read_from_a_streaming_replica_and_a_user_sees_their_own_change_at_once():
    primary, replica = os.environ.get("CHIBO_TEST_PRIMARY_URL"), os.environ.get("CHIBO_TEST_REPLICA_URL")
    if not (primary and replica):
        missing(
            "No streaming pair: CHIBO_TEST_PRIMARY_URL and CHIBO_TEST_REPLICA_URL are set by scripts/with_services.py "
            "(`make test`) when initdb, pg_ctl and pg_basebackup are installed (apt-get install postgresql)"
        )
    # A database of this run's own; pytest-django creates test_<it> on the primary, the replica receives it.
    name = f"chibo_replica_{os.getpid()}"
    env = {"DATABASE_URL": with_database(primary, name), "DATABASE_REPLICA_URL": with_database(replica, name)}
    run_inner("real_replica_check.py", env, "--create-db", "--no-migrations", passed=5)
