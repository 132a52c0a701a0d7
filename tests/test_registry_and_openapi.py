"""The router registry (ROUTER selection) and the generated OpenAPI document."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _in_fresh_process(code: str, router: str | None) -> str:
    env = {"JWT_SECRET": "x" * 40, "PATH": "/usr/bin:/bin"}
    if router:
        env["ROUTER"] = router
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip()


def test_router_selects_one_blueprint_and_imports_only_its_module():
    out = _in_fresh_process(
        "import sys, app; print(sorted(m for m in sys.modules if m.startswith('functions.')));"
        "print(sorted({r.view_name.split('.')[0] for p in app.app.routes.values() for r in p.values()}))",
        "settings")
    modules, _ = out.splitlines()
    assert modules == "['functions.settings']"


def test_without_router_every_router_and_handler_is_registered(app):
    from functions import router_names
    from layers.http.routing import ROUTES

    assert {spec.router for spec in ROUTES} == set(router_names())
    assert any(source.name == "task_worker" for source in app.event_sources)


def test_unknown_router_fails_loudly():
    env = {"JWT_SECRET": "x" * 40, "ROUTER": "nope"}
    result = subprocess.run([sys.executable, "-c", "import app"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode != 0 and "unknown router 'nope'" in result.stderr


def test_openapi_document_is_valid_and_complete(api):
    from openapi_spec_validator import validate

    from layers.http.routing import ROUTES

    reply = api.get("/api/openapi.json")
    assert reply.status == 200
    doc = reply.json
    validate(doc)
    assert doc["openapi"].startswith("3.1")
    for spec in ROUTES:
        op = doc["paths"][spec.path][spec.method.lower()]
        assert str(spec.status) in op["responses"]
        if spec.auth in ("user", "admin"):
            assert op["security"] == [{"bearer": []}] and "401" in op["responses"]
        if spec.body is not None:
            assert "requestBody" in op and "422" in op["responses"]


def test_openapi_documents_schemas_for_auth(api):
    doc = api.get("/api/openapi.json").json
    register = doc["paths"]["/api/auth/register"]["post"]
    body_schema = register["requestBody"]["content"]["application/json"]["schema"]
    ref = body_schema["$ref"].rsplit("/", 1)[-1]
    assert set(doc["components"]["schemas"][ref]["required"]) == {"email", "password", "name"}
    user_ref = register["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    user = doc["components"]["schemas"][user_ref]
    assert "password_hash" not in user["properties"] and "is_premium" in user["properties"]
    callback = doc["paths"]["/api/auth/google/callback"]["get"]
    assert {p["name"] for p in callback["parameters"]} == {"code", "state"}


def test_docs_page_loads_swagger_ui_from_the_api_itself_by_relative_urls(api):
    import re

    reply = api.get("/api/docs")
    assert reply.status == 200 and reply.header("Content-Type").startswith("text/html")
    urls = re.findall(r"(?:src|href)='([^']+)'", reply.text)
    assets = [url for url in urls if not url.startswith("data:")]
    assert assets and all(url.startswith("docs/") for url in assets), urls  # relative: works under a stage path
    for url in assets:
        served = api.get("/api/" + url)
        assert served.status == 200, url
        assert served.header("Content-Type").startswith(("application/javascript", "text/css")), url
    assert api.get("/api/docs/secrets.txt").status == 404


def test_openapi_is_complete_even_in_a_single_router_function():
    out = _in_fresh_process(
        "import json; from layers.http.openapi import document; print(len(document()['paths']))", "system")
    from layers.http.openapi import document

    assert int(out) == len(document()["paths"]) > 10
