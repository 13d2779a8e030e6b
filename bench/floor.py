"""The floor of bench/fanout.py: a Celery app of its own whose only task makes one HTTP call to the provider,
the least a delivery can cost. Started by the benchmark as `celery -A bench.floor worker`."""

import os

import requests
from celery import Celery

app = Celery("floor", broker=os.environ["FLOOR_BROKER_URL"])
app.conf.task_default_queue = os.environ.get("FLOOR_QUEUE", "floor")
app.conf.worker_prefetch_multiplier = 4
_session = requests.Session()


@app.task(name="floor.call", acks_late=True, ignore_result=True)
def call(url, payload):
    _session.post(url, json=payload, timeout=10)
