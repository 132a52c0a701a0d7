"""``make deploy-local``: deploy the packaged stack into the ministack AWS emulator.

    python -m infra.deploy.local [--stage dev] [--hold]

1. Install the emulator and the AWS CLI in their own virtualenv; start the emulator on a port of
   its own with a clean environment; start PostgreSQL and Redis (``infra.local.services``) and
   apply the migrations.
2. Seed the stage's SSM parameters (``JWT_SECRET``, ``DATABASE_URL``, ``REDIS_URL``).
3. ``make package``, then the README's AWS commands against the emulator's endpoint:
   ``aws cloudformation package`` (code to an artifact bucket) and ``aws cloudformation deploy``.
4. Apply what the emulator ignores in the template: the API's Gateway Responses
   (``put-gateway-response`` for each, then a new deployment of the stage).
5. Print the invoke URL. With ``--hold`` (the default on a terminal) keep serving until Ctrl-C;
   either way, everything started here is stopped before it returns.
"""
from __future__ import annotations

import argparse
import json
import secrets
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.deploy.emulator import AwsCli, Emulator, ensure_venv
from infra.local.console import stop_on_signals
from infra.local.ports import Ports, start_on_port
from infra.local.services import Postgres, Redis, Service

ROOT = Path(__file__).resolve().parents[2]
ARTIFACT_BUCKET = "blog-deploy-artifacts"
ADMIN_EMAIL = "admin@example.com"
EMAIL_SENDER = "no-reply@example.com"


# ``aws`` is the emulator's port. The defaults are fixed (the README's invoke URL names 61718); a
# taken one is refused naming the variable that moves it.
DEPLOY_PORT_VARIABLES = {"postgres": "DEPLOY_PG_PORT", "redis": "DEPLOY_REDIS_PORT", "aws": "DEPLOY_AWS_PORT"}
DEPLOY_PORTS = Ports(postgres=54418, redis=63918, aws=61718)


@dataclass(frozen=True)
class Deployment:
    stack_name: str
    stage: str
    endpoint: str                  # the emulator's AWS endpoint
    invoke_url: str                # API Gateway stage URL; routes are under /api
    database_url: str
    redis_url: str
    resources: dict[str, str]      # logical id -> physical id
    outputs: dict[str, str]
    template: dict[str, Any]


def _config(stage: str) -> dict[str, Any]:
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    env: dict[str, Any] = config["stages"][stage]["environment_variables"]
    return env


def seed_parameters(aws: AwsCli, ssm_path: str, values: dict[str, str]) -> None:
    for name, value in values.items():
        aws("ssm", "put-parameter", "--name", f"{ssm_path}/{name}", "--value", value,
            "--type", "SecureString", "--overwrite")


def package_and_deploy(aws: AwsCli, stage: str, stack_name: str, work: Path) -> dict[str, Any]:
    """``make package``, then exactly the README's two AWS commands (plus the endpoint).

    The package and the packaged template go to ``work``, this deployment's own folder, so that
    another deployment's build cannot replace them while they are uploaded."""
    from infra.build.package import build

    out = build(stage, work / "package", measure_imports=False)
    aws("s3", "mb", f"s3://{ARTIFACT_BUCKET}")
    packaged = work / "packaged.yaml"
    aws("cloudformation", "package", "--template-file", str(out / "sam.json"),
        "--s3-bucket", ARTIFACT_BUCKET, "--output-template-file", str(packaged))
    # --s3-bucket: a template over 51,200 bytes can only be deployed from S3.
    aws("cloudformation", "deploy", "--template-file", str(packaged), "--stack-name", stack_name,
        "--s3-bucket", ARTIFACT_BUCKET,
        "--capabilities", "CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND",
        "--parameter-overrides", f"EmailSender={EMAIL_SENDER}", f"AdminEmails={ADMIN_EMAIL}")
    template: dict[str, Any] = json.loads((out / "sam.json").read_text())
    return template


def apply_gateway_responses(aws: AwsCli, api_id: str, stage_name: str, template: dict[str, Any]) -> None:
    """The emulator skips the template's Gateway Responses; put them and redeploy the stage."""
    responses = template["Resources"]["RestAPI"]["Properties"].get("GatewayResponses", {})
    for response_type, spec in responses.items():
        args = ["apigateway", "put-gateway-response", "--rest-api-id", api_id, "--response-type", response_type,
                "--response-templates", json.dumps(spec.get("ResponseTemplates", {}))]
        if spec.get("StatusCode"):
            args += ["--status-code", str(spec["StatusCode"])]
        aws(*args)
    aws("apigateway", "create-deployment", "--rest-api-id", api_id, "--stage-name", stage_name)


def describe(aws: AwsCli, stack_name: str) -> tuple[dict[str, str], dict[str, str]]:
    listed = aws("cloudformation", "describe-stack-resources", "--stack-name", stack_name)["StackResources"]
    resources = {r["LogicalResourceId"]: r.get("PhysicalResourceId", "") for r in listed}
    stack = aws("cloudformation", "describe-stacks", "--stack-name", stack_name)["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    return resources, outputs


@contextmanager
def deployed(stage: str = "dev", ports: Ports | None = None, root: Path | None = None,
             database_url: str | None = None, redis_url: str | None = None) -> Iterator[Deployment]:
    """Start everything, deploy, yield the deployment; stop everything on the way out.

    PostgreSQL and Redis are started here unless URLs are given (the test session's).
    """
    ports = ports or Ports.from_env(DEPLOY_PORT_VARIABLES, defaults=DEPLOY_PORTS)
    root = root or ROOT / ".local" / "deploy"
    ensure_venv()
    with ExitStack() as cleanup:
        services: list[Service] = []  # each one listed before it starts, stopped in reverse
        cleanup.callback(lambda: [service.stop() for service in reversed(services)])
        ports.check_pinned(["aws"] + (["postgres"] if database_url is None else [])
                           + (["redis"] if redis_url is None else []))
        emulator = start_on_port(lambda port: Emulator("ministack", port, root / "ministack"),
                                 ports.aws, ports.variables.get("aws"), services)
        if database_url is None:
            database_url = start_on_port(lambda port: Postgres("postgres", port, root / "postgres", durable=False),
                                         ports.postgres, ports.variables.get("postgres"), services).url
        if redis_url is None:
            redis_url = start_on_port(lambda port: Redis("redis", port, root / "redis"),
                                      ports.redis, ports.variables.get("redis"), services).url
        from infra.migrate import migrate

        migrate(database_url)
        aws = AwsCli(emulator.url)
        stage_env = _config(stage)
        seed_parameters(aws, stage_env["SECRETS_SSM_PATH"], {
            "JWT_SECRET": secrets.token_urlsafe(48), "DATABASE_URL": database_url, "REDIS_URL": redis_url})
        stack_name = f"blog-api-{stage}"
        template = package_and_deploy(aws, stage, stack_name, root)
        resources, outputs = describe(aws, stack_name)
        stage_name = template["Resources"]["RestAPI"]["Properties"]["StageName"]
        apply_gateway_responses(aws, resources["RestAPI"], stage_name, template)
        invoke_url = f"{emulator.url}/_aws/execute-api/{resources['RestAPI']}/{stage_name}"
        yield Deployment(stack_name, stage, emulator.url, invoke_url, database_url, redis_url,
                         resources, outputs, template)


def _hold() -> None:
    # Until SIGINT or SIGTERM, even when started in the background with SIGINT ignored.
    stopping = threading.Event()
    stop_on_signals(stopping)
    try:
        stopping.wait()
    except KeyboardInterrupt:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", default="dev", choices=["dev", "prod"])
    parser.add_argument("--hold", action=argparse.BooleanOptionalAction, default=sys.stdin.isatty(),
                        help="keep the deployment running until Ctrl-C (default: on a terminal)")
    args = parser.parse_args()
    began = time.monotonic()
    with deployed(args.stage) as deployment:
        print(f"deployed {deployment.stack_name} to the emulator at {deployment.endpoint} "
              f"in {time.monotonic() - began:.0f}s", flush=True)
        print(f"invoke URL: {deployment.invoke_url}   (try: curl {deployment.invoke_url}/api/health)", flush=True)
        if args.hold:
            print("serving until Ctrl-C", flush=True)
            _hold()
    print("stopped the emulator, PostgreSQL and Redis", flush=True)


if __name__ == "__main__":
    main()
