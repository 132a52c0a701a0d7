"""Chalice entry point: builds the app from the router registry.

Deployed, each router is its own Lambda function with ``ROUTER=<name>`` set, so the function
imports and registers only that router's module. Without ``ROUTER`` (``make run``, the tests,
``chalice package`` and the OpenAPI document) every router and event handler is registered.
A blueprint can be registered in only one app per process: never build a second app.

``chalice deploy`` is refused: it would deploy one function for every route, without the queues,
the dead-letter queue, partial batch responses or the layers. The deployment is the SAM template
that ``make package`` builds (README, "Packaging and deploying").
"""
import os
import sys

from chalice.app import Chalice

from functions import blueprints
from layers import snapstart
from layers.core.logging import configure as configure_logging
from layers.http.middleware import http_middleware


def _chalice_command(argv: list[str]) -> str | None:
    """The subcommand when the Chalice CLI is what imports this module (``chalice [opts] deploy``)."""
    program = argv[0] if argv else ""
    if "chalice" not in (os.path.basename(program), os.path.basename(os.path.dirname(program))):  # or python -m
        return None
    args = iter(argv[1:])
    for arg in args:
        if arg in ("--project-dir", "--profile"):
            next(args, None)
        elif not arg.startswith("-"):
            return arg
    return None


if _chalice_command(sys.argv) == "deploy":
    raise SystemExit("chalice deploy is not supported: it would deploy one function for every route, without the "
                     "task queues, dead-letter queue or layers. Run `make package`, then deploy build/package/sam.json "
                     "with `aws cloudformation package` and `aws cloudformation deploy` (README: Packaging and "
                     "deploying), or `make deploy-local` for the emulator.")
configure_logging()
app = Chalice(app_name="blog-api")
app.log.propagate = True
app.register_middleware(http_middleware, "http")
for _blueprint in blueprints(os.environ.get("ROUTER") or None):
    app.register_blueprint(_blueprint)
snapstart.prepare()  # restore hooks; at a SnapStart init, the model or interpreter too
