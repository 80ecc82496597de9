"""Prometheus metrics: producer functions, label validation, the latency middleware, /metrics."""

from __future__ import annotations

import pytest
from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from jutsu.api.routers.ops import install_ops
from jutsu.ops.metrics import REGISTRY, count_order, observe_job


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_observe_job_records_count_and_sum() -> None:
    before_n = _value("jutsu_job_duration_seconds_count", job="eod_finalization", status="success")
    before_s = _value("jutsu_job_duration_seconds_sum", job="eod_finalization", status="success")
    observe_job("eod_finalization", 1.5, "success")
    observe_job("eod_finalization", 0.25, "SUCCESS")
    assert (
        _value("jutsu_job_duration_seconds_count", job="eod_finalization", status="success") == before_n + 2
    )
    assert _value(
        "jutsu_job_duration_seconds_sum", job="eod_finalization", status="success"
    ) == pytest.approx(before_s + 1.75)


def test_count_order_counts_by_mode_side_status() -> None:
    before = _value("jutsu_orders_total", mode="paper", side="buy", status="filled")
    other = _value("jutsu_orders_total", mode="live", side="buy", status="filled")
    count_order("paper", "buy", "filled")
    count_order("Paper", "BUY", "filled")
    assert _value("jutsu_orders_total", mode="paper", side="buy", status="filled") == before + 2
    assert _value("jutsu_orders_total", mode="live", side="buy", status="filled") == other


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: count_order("backtest", "buy", "filled"), "mode='backtest'"),
        (lambda: count_order("live", "short", "filled"), "side='short'"),
        (lambda: count_order("live", "buy", "weird"), "status='weird'"),
        (lambda: observe_job("daily job; drop", 1.0, "success"), "job identifier"),
        (lambda: observe_job("daily_trading_job", -1.0, "success"), "negative"),
        (lambda: observe_job("daily_trading_job", 1.0, "ok"), "status='ok'"),
    ],
)
def test_unbounded_or_wrong_labels_are_refused(call: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()  # type: ignore[operator]


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/things/{thing_id}")
    def thing(thing_id: int) -> dict[str, int]:
        if thing_id == 0:
            raise HTTPException(404, "no such thing")
        return {"id": thing_id}

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("boom")

    install_ops(app)
    return app


def test_middleware_labels_requests_by_route_template_and_status() -> None:
    client = TestClient(_app(), raise_server_exceptions=False)
    labels = {"method": "GET", "route": "/things/{thing_id}"}
    ok_before = _value("jutsu_http_request_duration_seconds_count", status="200", **labels)
    missing_before = _value("jutsu_http_request_duration_seconds_count", status="404", **labels)
    unmatched_before = _value(
        "jutsu_http_request_duration_seconds_count", method="GET", route="<unmatched>", status="404"
    )
    boom_before = _value(
        "jutsu_http_request_duration_seconds_count", method="GET", route="/boom", status="500"
    )

    for thing_id in (1, 2, 3):
        assert client.get(f"/things/{thing_id}").status_code == 200
    assert client.get("/things/0").status_code == 404
    assert client.get("/wp-admin/setup.php").status_code == 404
    assert client.get("/boom").status_code == 500

    assert _value("jutsu_http_request_duration_seconds_count", status="200", **labels) == ok_before + 3
    assert _value("jutsu_http_request_duration_seconds_count", status="404", **labels) == missing_before + 1
    assert (
        _value("jutsu_http_request_duration_seconds_count", method="GET", route="<unmatched>", status="404")
        == unmatched_before + 1
    )
    assert (
        _value("jutsu_http_request_duration_seconds_count", method="GET", route="/boom", status="500")
        == boom_before + 1
    )
    # Raw paths never become labels.
    body = client.get("/metrics").text
    assert "/things/1" not in body
    assert "wp-admin" not in body


def test_metrics_endpoint_serves_the_prometheus_text_format() -> None:
    client = TestClient(_app())
    observe_job("market_data_sync", 2.0, "failed")
    count_order("dry-run", "sell", "submitted")  # the spelling of the specs; stored as dry_run
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    families = {family.name: family for family in text_string_to_metric_families(response.text)}
    assert {"jutsu_http_request_duration_seconds", "jutsu_job_duration_seconds", "jutsu_orders"} <= set(
        families
    )
    samples = [
        s
        for s in families["jutsu_orders"].samples
        if s.name == "jutsu_orders_total"
        and s.labels == {"mode": "dry_run", "side": "sell", "status": "submitted"}
    ]
    assert samples
    assert samples[0].value >= 1
