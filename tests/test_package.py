"""``make package``: one function per router, queue wiring, schedules, settings, cfn-lint; one code
zip of the project's code only, and the dependency layers each function takes: every function
imports from its code zip and its layers alone and fits Lambda's limits."""
from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("boto3", "botocore", "psycopg", "redis", "stripe", "onnxruntime", "numpy", "wasmtime")
MB = 1024 * 1024
UNZIPPED_LIMIT = 250 * MB  # Lambda: code and layers together, unzipped


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from infra.build.package import build

    return build("dev", tmp_path_factory.mktemp("package"), measure_imports=False)  # cfn-lint; raises on failure


@pytest.fixture(scope="module")
def template(package: Path) -> dict:
    return json.loads((package / "sam.json").read_text())


@pytest.fixture(scope="module")
def figures(package: Path) -> dict:
    return json.loads((package / "functions.json").read_text())


@pytest.fixture(scope="module")
def functions(figures: dict) -> dict[str, dict]:
    return {f["function"]: f for f in figures["functions"]}


@pytest.fixture(scope="module")
def code_dir(package: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("code")
    with zipfile.ZipFile(package / "code.zip") as archive:
        archive.extractall(target)
    return target


def layer_dirs(figures: dict, names: list[str]) -> list[Path]:
    from infra.build.layers import CACHE

    return [CACHE / f"{name}-{figures['layers'][name]['hash']}" for name in names]


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
        target = uri.split("${")[-1].split("}")[0]
        logical = target.removesuffix(".Arn").removesuffix("Aliaslive")
        assert resources[logical]["Properties"]["Environment"]["Variables"]["ROUTER"] == spec.router, spec.path
        # A SnapStart function is invoked through its alias (published versions), others directly.
        snapstart = "AutoPublishAlias" in resources[logical]["Properties"]
        assert target == (f"{logical}Aliaslive" if snapstart else f"{logical}.Arn"), spec.path


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


def _isolated(code_dir: Path, dirs: list[Path], script: str, env: dict[str, str] | None = None) -> str:
    """Run ``script`` with only the code, the given layers and the standard library importable."""
    from infra.build.measure import run_isolated

    result = run_isolated(code_dir, dirs, script, {"JWT_SECRET": "x" * 40, **(env or {})})
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_every_router_imports_from_its_code_and_layers_alone_and_stays_light(code_dir, figures, functions):
    from functions import router_names

    routers = {f["router"]: f for f in functions.values() if f["router"]}
    assert set(routers) == set(router_names())
    for name, function in sorted(routers.items()):
        out = _isolated(code_dir, layer_dirs(figures, function["layers"]), (
            "import app\n"
            "from layers.http.routing import ROUTES\n"
            f"assert {{s.router for s in ROUTES}} == {{{name!r}}}, {{s.router for s in ROUTES}}\n"
            f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
            "print(len(app.app.routes), heavy)\n"
            "assert app.__file__.startswith(sys.path[0])\n"), env={"ROUTER": name})
        routes, heavy = out.split(" ", 1)
        assert int(routes) > 0
        assert heavy.strip() == "[]", f"{name} imports {heavy} at cold start"


def test_event_handlers_import_from_their_code_and_layers_alone(code_dir, figures, template, functions):
    handlers = {logical: r["Properties"]["Handler"] for logical, r in template["Resources"].items()
                if r["Type"] == "AWS::Serverless::Function" and r["Properties"]["Handler"] != "app.app"}
    assert any(h.startswith("functions.worker.") for h in handlers.values())
    for logical, handler in handlers.items():
        module, attr = handler.rsplit(".", 1)
        _isolated(code_dir, layer_dirs(figures, functions[logical]["layers"]), "import importlib\n"
                  f"assert callable(getattr(importlib.import_module({module!r}), {attr!r}))\n")


def test_the_worker_embeds_as_before_from_its_code_and_layers_alone(code_dir, figures, functions):
    """Current onnxruntime, numpy and tokenizers (manylinux_2_28 wheels for Lambda's python3.13),
    the model and its tokenizer found in the embeddings layer: the reference vectors, to 5 decimals."""
    reference = json.loads((ROOT / "tests" / "data" / "embedding_reference.json").read_text())
    worker = next(f for f in functions.values() if f["handler"].startswith("functions.worker."))
    out = _isolated(code_dir, layer_dirs(figures, worker["layers"]), (
        "import json\nfrom layers.adapters.embeddings import from_settings\n"
        f"print(json.dumps(from_settings().embed({reference['texts']!r})))\n"))
    vectors = json.loads(out.strip().splitlines()[-1])
    worst = max(abs(a - b) for got, want in zip(vectors, reference["vectors"], strict=True)
                for a, b in zip(got, want, strict=True))
    assert worst < 0.5e-5, worst


def test_the_code_function_runs_the_sandbox_from_its_code_and_layers_alone(code_dir, figures, functions):
    """The interpreter compiled for Lambda's x86_64 is found in the sandbox layer and loads."""
    code = next(f for f in functions.values() if f["router"] == "code")
    out = _isolated(code_dir, layer_dirs(figures, code["layers"]), (
        "from layers.adapters.sandbox import runtime\n"
        "print(runtime.packaged_module())\n"
        "from layers.adapters.sandbox import from_settings\n"
        "result = from_settings().run('print(6 * 7)')\n"
        "print(result.stdout.strip())\n"), env={"CODE_CACHE_DIR": str(code_dir / "no-cache")})
    packaged, answer = out.strip().splitlines()[-2:]
    assert "/python/sandbox_module/" in packaged
    assert answer == "42"


def test_every_function_takes_the_code_zip_and_its_layers_within_lambdas_limits(template, figures, functions):
    from infra.build.layers import MAX_LAYERS, RUNTIME, layers_of
    from infra.build.package import function_name
    from infra.build.template import layer_resource

    for logical, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        props = resource["Properties"]
        assert props["CodeUri"] == "./code.zip", logical
        assert props["Runtime"] == RUNTIME, logical
        taken = layers_of(function_name(resource))
        assert props["Layers"] == [{"Ref": layer_resource(n)} for n in taken], logical
        assert len(taken) <= MAX_LAYERS
        assert functions[logical]["layers"] == list(taken)
        unzipped = functions[logical]["unzipped_bytes"]
        assert unzipped <= UNZIPPED_LIMIT, f"{logical}: {unzipped / MB:.0f} MB of code and layers unzipped"
    for name, layer in figures["layers"].items():
        resource = template["Resources"][layer_resource(name)]
        assert resource["Type"] == "AWS::Serverless::LayerVersion"
        assert resource["Properties"]["ContentUri"].endswith(layer["zip"])
        assert resource["Properties"]["CompatibleRuntimes"] == [RUNTIME]


def test_the_code_zip_holds_the_projects_code_only_precompiled(package):
    with zipfile.ZipFile(package / "code.zip") as archive:
        names = set(archive.namelist())
    assert {n.split("/")[0] for n in names} == {"app.py", "functions", "scheduled", "layers", "__pycache__"}
    assert "layers/http/routing.py" in names
    assert any(n.startswith("layers/http/__pycache__/routing.cpython-313") for n in names)
    assert not any(".dist-info/" in n for n in names)


def test_a_layer_is_built_once_per_lock_and_to_the_same_bytes_anywhere(figures, tmp_path):
    """Reused while its lock is unchanged; built elsewhere (another clone, after `make clean`), the
    same bytes: `aws cloudformation package` then finds it uploaded already."""
    from infra.build import layers

    again = layers.build("payments")
    assert again.reused and again.hash == figures["layers"]["payments"]["hash"]
    elsewhere = layers.build("payments", tmp_path / "layers")
    assert not elsewhere.reused
    assert elsewhere.zip_path.read_bytes() == again.zip_path.read_bytes()


def test_the_same_code_zips_to_the_same_bytes(package, tmp_path):
    from infra.build.package import write_code_zip

    write_code_zip(tmp_path / "code.zip")
    assert (tmp_path / "code.zip").read_bytes() == (package / "code.zip").read_bytes()


def test_the_functions_that_load_the_model_or_the_sandbox_publish_snapstart_versions(template):
    from infra.build.layers import snapstart
    from infra.build.package import function_name

    published = set()
    for logical, resource in template["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function":
            props = resource["Properties"]
            if snapstart(function_name(resource)):
                assert props["AutoPublishAlias"] == "live", logical
                assert props["SnapStart"] == {"ApplyOn": "PublishedVersions"}, logical
                published.add(logical)
            else:
                assert "SnapStart" not in props, logical
    assert {"TaskWorker", "RagRouter", "SearchHybridRouter", "CodeRouter", "EmbeddingBackfill"} <= published


def test_chalice_deploy_refuses_and_points_at_the_supported_path(tmp_path):
    chalice = Path(sys.executable).with_name("chalice")
    result = subprocess.run([str(chalice), "--project-dir", str(ROOT), "deploy", "--stage", "dev"],
                            capture_output=True, text=True, timeout=120, cwd=tmp_path,
                            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "AWS_ACCESS_KEY_ID": "none",
                                 "AWS_SECRET_ACCESS_KEY": "none", "AWS_DEFAULT_REGION": "us-east-1",
                                 "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "JWT_SECRET": "x" * 40})
    assert result.returncode != 0
    assert "chalice deploy is not supported" in result.stderr + result.stdout
    assert "make package" in result.stderr + result.stdout


def test_only_the_docs_function_takes_swagger_ui_and_serves_it_from_its_layer(package, code_dir, figures, functions):
    """Swagger UI's files ship in the docs layer alone, which only the system function takes; that
    function serves them from the layer, with only its code and layers importable."""
    from infra.build.layers import CACHE

    bundle = "docs_ui/swagger-ui-bundle.js"
    carriers = []
    for name, layer in figures["layers"].items():
        with zipfile.ZipFile(CACHE / layer["zip"]) as archive:
            if f"python/{bundle}" in archive.namelist():
                carriers.append(name)
    assert carriers == ["docs"], carriers
    with zipfile.ZipFile(package / "code.zip") as archive:
        assert not any(n.startswith("docs_ui/") for n in archive.namelist())
    takers = sorted(f["router"] or f["name"] for f in functions.values() if "docs" in f["layers"])
    assert takers == ["system"], takers
    system = next(f for f in functions.values() if f["router"] == "system")
    docs_layer, = layer_dirs(figures, ["docs"])
    out = _isolated(code_dir, layer_dirs(figures, system["layers"]), (
        "from layers.http import docs_page\n"
        "text, kind = docs_page.asset('swagger-ui-bundle.js')\n"
        "print(docs_page.assets_dir().resolve(), len(text) > 10**6, kind)\n"), env={"ROUTER": "system"})
    served_from, large, _ = out.split(maxsplit=2)
    assert served_from == str((docs_layer / "python" / "docs_ui").resolve())
    assert large == "True"
