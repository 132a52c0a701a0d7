"""With the demo data loaded, a demo account can use every learning feature end to end."""
from __future__ import annotations

from infra.local import demo
from tests.support.content import db_rows


def login(api, email):
    reply = api.post("/api/auth/login", {"email": email, "password": demo.DEMO_PASSWORD})
    assert reply.status == 200, reply.text
    return reply.json["access_token"]


def test_demo_user_learns_end_to_end(api):
    demo.load()
    alice = login(api, "alice@example.com")
    post_id = db_rows("SELECT id FROM posts WHERE slug = 'rate-limiting-with-redis'")[0][0]

    cards = api.post("/api/srs/cards", {"post_id": post_id}, token=alice)
    assert cards.status == 201 and cards.json["created"] == 3
    due = api.get("/api/srs/queue", token=alice).json["items"]
    assert api.post("/api/srs/reviews", {"card_id": due[0]["id"], "grade": 4}, token=alice).status == 200
    assert api.get("/api/srs/stats", token=alice).json["reviewed_today"] == 1

    quiz = api.post("/api/quiz/generate", {"post_id": post_id}, token=alice).json
    result = api.post(f"/api/quiz/{quiz['id']}/submit", {"answers": [0] * quiz["total_questions"]}, token=alice)
    assert result.status == 200 and len(result.json["results"]) == quiz["total_questions"]

    today = api.get("/api/challenges/today").json
    attempt = api.post(f"/api/challenges/{today['id']}/submit",
                       {"choice": 0} if today["options"] else {"answer": "a guess"}, token=alice)
    assert attempt.status == 200 and attempt.json["attempts"] == 1

    topics = {t["topic"] for t in api.get("/api/interview/topics").json}
    assert len(topics) >= 5
    session = api.post("/api/interview/start", {"topic": "redis", "count": 1}, token=alice).json
    api.post(f"/api/interview/{session['id']}/answer",
             {"answer": "Count each client's requests per time window and expire the key."}, token=alice)
    feedback = api.get(f"/api/interview/{session['id']}/feedback", token=alice).json
    assert feedback["status"] == "completed" and 0 <= feedback["overall_score"] <= 100

    # Every demo series has a premium post: the certificate goes to an account with full access.
    admin = login(api, "admin@example.com")
    series_id, post_ids = db_rows("SELECT s.id, array_agg(p.id) FROM series s JOIN posts p ON p.series_id = s.id"
                                  " WHERE s.slug = 'redis-patterns' AND p.status = 'published' GROUP BY s.id")[0]
    assert api.post(f"/api/certificates/{series_id}", token=admin).status == 403
    for pid in post_ids:
        assert api.post(f"/api/progress/{pid}/read", {}, token=admin).status == 200
    cert = api.post(f"/api/certificates/{series_id}", token=admin).json
    assert api.get(f"/api/certificates/verify/{cert['code']}").json["series"]["slug"] == "redis-patterns"
