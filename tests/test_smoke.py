def test_health_reports_every_dependency(api):
    reply = api.get("/api/health")
    assert reply.status == 200, reply.text
    assert reply.json == {"status": "ok", "database": "ok", "redis": "ok", "queue": "ok", "rate_limiter": "ok"}
    assert reply.header("X-Request-ID")
