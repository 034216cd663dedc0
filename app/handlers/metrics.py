"""Prometheus metrics at /metrics: requests, case starts, task completions, timers and their lateness.

Counters are per process (one registry per application); the gauges of due timers and open
tasks are read from the database at scrape time, so they hold across workers.
"""

from __future__ import annotations

import hmac
import time

from flask import Flask
from flask import Response
from flask import g
from flask import request
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client import CollectorRegistry
from prometheus_client import Counter
from prometheus_client import Gauge
from prometheus_client import Histogram
from prometheus_client import generate_latest

from ..services import health
from ..services.context import ServiceContext
from ..services.signals import case_events_committed

LATENESS_BUCKETS = (0.1, 0.25, 0.5, 1, 2, 5, 15, 30, 60, 300, 3600, 86400)


def init_app(app: Flask, ctx: ServiceContext) -> None:
    registry = CollectorRegistry()
    requests = Counter(
        "aftersales_http_requests_total", "HTTP requests", ["method", "endpoint", "status"], registry=registry
    )
    latency = Histogram("aftersales_http_request_seconds", "HTTP request duration", ["endpoint"], registry=registry)
    started = Counter("aftersales_cases_started_total", "Cases opened", ["process"], registry=registry)
    completed = Counter("aftersales_task_completions_total", "User tasks completed", ["process"], registry=registry)
    fired = Counter("aftersales_timers_fired_total", "Timers fired", ["process", "kind"], registry=registry)
    lateness = Histogram(
        "aftersales_timer_lateness_seconds", "How late timers fired", buckets=LATENESS_BUCKETS, registry=registry
    )
    due = Gauge("aftersales_due_timers", "Waiting timers already due (the firing queue)", registry=registry)
    open_tasks = Gauge("aftersales_open_tasks", "Ready user tasks", registry=registry)
    due.set_function(lambda: health.backlog(ctx).due_timers)
    open_tasks.set_function(lambda: health.backlog(ctx).open_tasks)

    def observe(_ctx, process_key: str, events: list) -> None:
        for event in events:
            if event.type == "instance_started":
                started.labels(process_key).inc()
            elif event.type == "task_completed":
                completed.labels(process_key).inc()
            elif event.type == "timer_fired":
                fired.labels(process_key, event.data.get("kind") or "").inc()
                lateness.observe(max(float(event.data.get("late_seconds") or 0), 0.0))

    case_events_committed.connect(observe, sender=ctx, weak=False)

    @app.before_request
    def _start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def _count(response):
        endpoint = request.url_rule.rule if request.url_rule else "unmatched"
        requests.labels(request.method, endpoint, str(response.status_code)).inc()
        if "request_started" in g:
            latency.labels(endpoint).observe(time.perf_counter() - g.request_started)
        return response

    token = app.config["METRICS_TOKEN"]

    @app.get("/metrics")
    def metrics() -> Response:
        # Open on a private network (the default); with AFTERSALES_METRICS_TOKEN set, the scraper
        # must send it as a bearer token.
        if token and not hmac.compare_digest(request.headers.get("Authorization", ""), f"Bearer {token}"):
            return Response("a bearer token is required\n", status=401, headers={"WWW-Authenticate": "Bearer"})
        return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
