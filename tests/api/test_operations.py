"""Operating the service: readiness, and Prometheus metrics of what the cases do."""

from __future__ import annotations

from datetime import timedelta

from app.services.timing.timer_firing import fire_due
from tests.conftest import make_app
from tests.repair_driver import RepairCase


def test_ready_when_the_schema_is_current_and_a_process_is_deployed(app, tmp_path, clock):
    ready = app.test_client().get("/readyz")
    assert ready.status_code == 200 and ready.json["checks"] == {
        "database": True,
        "schema_current": True,
        "processes_deployed": True,
    }
    empty = make_app(f"sqlite:///{tmp_path / 'empty.db'}", clock, create=False)
    from app.persistence.schema import upgrade

    upgrade(empty.extensions["aftersales.db"])
    not_ready = empty.test_client().get("/readyz")
    assert not_ready.status_code == 503 and not_ready.json["checks"]["processes_deployed"] is False
    empty.extensions["aftersales.db"].dispose()


def test_metrics_count_starts_completions_timers_and_lateness(app, ctx, clock, as_user):
    RepairCase(as_user)
    clock.advance(timedelta(hours=24, seconds=30))
    fire_due(ctx)
    body = app.test_client().get("/metrics").get_data(as_text=True)
    assert 'aftersales_cases_started_total{process="repair"} 1.0' in body
    assert 'aftersales_task_completions_total{process="repair"} 1.0' in body
    # The late contact (30 s late) and the late arrival (6 working hours after the request, long past).
    assert 'aftersales_timers_fired_total{kind="escalation",process="repair"} 2.0' in body
    assert "aftersales_timer_lateness_seconds_count 2.0" in body
    assert 'aftersales_timer_lateness_seconds_bucket{le="60.0"} 1.0' in body
    assert "aftersales_open_tasks 3.0" in body and "aftersales_due_timers 0.0" in body
    assert (
        'aftersales_http_requests_total{endpoint="/api/v1/processes/<key>/instances",method="POST",status="201"}'
        in body
    )


def test_with_a_token_set_metrics_answer_only_the_scraper_that_sends_it(database_url, clock):
    app = make_app(database_url, clock, METRICS_TOKEN="s3cret-scrape")
    client = app.test_client()
    try:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        scraped = client.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape"})
        assert scraped.status_code == 200 and "aftersales_due_timers" in scraped.get_data(as_text=True)
    finally:
        app.extensions["aftersales.db"].dispose()
