"""``make package``: one function per router, queue wiring, schedules, cfn-lint, and a package
whose every handler imports from the unzipped archive alone."""
from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("boto3", "botocore", "psycopg", "redis", "stripe")


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from infra.build.package import build

    return build("dev", tmp_path_factory.mktemp("package"))  # includes cfn-lint; raises on failure


@pytest.fixture(scope="module")
def template(package: Path) -> dict:
    return json.loads((package / "sam.json").read_text())


@pytest.fixture(scope="module")
def unzipped(package: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("unzipped")
    with zipfile.ZipFile(package / "deployment.zip") as archive:
        archive.extractall(target)
    return target


def test_every_router_has_its_own_function(template):
    from functions import router_names

    resources = template["Resources"]
    for name in router_names():
        logical = "APIHandler" if name == "system" else next(
            k for k, v in resources.items()
            if v["Type"] == "AWS::Serverless::Function"
            and v["Properties"].get("Environment", {}).get("Variables", {}).get("ROUTER") == name)
        fn = resources[logical]["Properties"]
        assert fn["Handler"] == "app.app"
        assert fn["Environment"]["Variables"]["ROUTER"] == name


def test_each_path_is_integrated_with_its_routers_function(template, app):
    from layers.http.routing import ROUTES

    resources = template["Resources"]
    paths = resources["RestAPI"]["Properties"]["DefinitionBody"]["paths"]
    for spec in ROUTES:
        uri = paths[spec.path][spec.method.lower()]["x-amazon-apigateway-integration"]["uri"]["Fn::Sub"]
        logical = uri.split("${")[-1].split(".Arn}")[0]
        assert resources[logical]["Properties"]["Environment"]["Variables"]["ROUTER"] == spec.router, spec.path


def test_queue_dead_letter_queue_and_partial_batch_responses(template):
    resources = template["Resources"]
    queue = resources["TasksQueue"]["Properties"]
    worker = resources["TaskWorker"]
    assert queue["RedrivePolicy"]["maxReceiveCount"] == 5
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["TasksDeadLetterQueue", "Arn"]}
    assert queue["VisibilityTimeout"] >= 6 * worker["Properties"]["Timeout"]
    event = worker["Properties"]["Events"]["TaskWorkerSqsEventSource"]
    assert event["Type"] == "SQS"
    assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert event["Properties"]["Queue"]["Fn::Sub"].endswith(":" + queue["QueueName"])


def test_every_schedule_is_a_cron_triggered_function(template, app):
    from infra.build.template import resource_name
    from infra.local.scheduler import expression_of, scheduled_sources

    sources = scheduled_sources(app)
    assert sources, "the app declares scheduled jobs"
    for source in sources:
        fn = template["Resources"][resource_name(source.name)]["Properties"]
        schedules = [e["Properties"]["Schedule"] for e in fn["Events"].values() if e["Type"] == "Schedule"]
        assert schedules == [expression_of(source)]


def _import_in_isolation(unzipped: Path, code: str, env: dict[str, str] | None = None) -> str:
    """Run ``code`` with only the unzipped package (and the standard library) importable."""
    script = f"import sys; sys.path.insert(0, {str(unzipped)!r})\n{code}"
    result = subprocess.run([sys.executable, "-I", "-S", "-c", script], capture_output=True, text=True,
                            env={"JWT_SECRET": "x" * 40, **(env or {})}, cwd=unzipped, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_every_router_imports_from_the_package_alone_and_stays_light(unzipped):
    from functions import router_names

    for name in router_names():
        out = _import_in_isolation(unzipped, (
            "import app\n"
            "from layers.http.routing import ROUTES\n"
            f"assert {{s.router for s in ROUTES}} == {{{name!r}}}, {{s.router for s in ROUTES}}\n"
            f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
            "print(len(app.app.routes), heavy)\n"
            "assert app.__file__.startswith(sys.path[0])\n"), env={"ROUTER": name})
        routes, heavy = out.split(" ", 1)
        assert int(routes) > 0
        assert heavy.strip() == "[]", f"{name} imports {heavy} at cold start"


def test_event_handlers_import_from_the_package_alone(unzipped, template):
    handlers = [r["Properties"]["Handler"] for r in template["Resources"].values()
                if r["Type"] == "AWS::Serverless::Function" and r["Properties"]["Handler"] != "app.app"]
    assert any(h.startswith("functions.worker.") for h in handlers)
    code = "import importlib\n" + "".join(
        f"assert callable(getattr(importlib.import_module({h.rsplit('.', 1)[0]!r}), {h.rsplit('.', 1)[1]!r}))\n"
        for h in handlers)
    _import_in_isolation(unzipped, code)


def test_package_ships_precompiled_bytecode(package):
    with zipfile.ZipFile(package / "deployment.zip") as archive:
        names = set(archive.namelist())
    assert "layers/http/routing.py" in names
    assert any(n.startswith("layers/http/__pycache__/routing.cpython-") for n in names)
    assert not any(n.startswith(("tests/", "infra/")) for n in names)
