"""The one declaration of which function takes which layer (``infra.build.layers``), held against
what each function imports (the static walker of ``infra.build.dependencies``, lazy imports and
imports by name included), and the layers' locks against requirements.txt.

Fast: the distributions a lock names are mapped to import names through this virtualenv's own
metadata (the same versions: the locks are generated from requirements.txt's pins).
"""
from __future__ import annotations

import sys
from functools import cache
from importlib import metadata
from typing import Any

from packaging.utils import canonicalize_name


@cache
def top_names(distribution: str) -> frozenset[str]:
    """Import names a distribution provides, from its RECORD (its top_level.txt can be missing)."""
    dist = metadata.distribution(distribution)
    tops = set()
    for file in dist.files or ():
        parts = file.parts
        if parts[0].endswith((".dist-info", ".libs", ".data")) or parts[0] in ("..", "__pycache__", "bin"):
            continue
        tops.add(parts[0].removesuffix(".py") if len(parts) == 1 else parts[0])
    return frozenset(t for t in tops if not t.endswith((".pth", ".so")) or "." not in t)


def carried(layer: str) -> frozenset[str]:
    from infra.build.layers import read_lock

    return frozenset().union(*(top_names(line.split("==")[0]) for line in read_lock(layer)))


def own(layer: str) -> frozenset[str]:
    """Import names of the distributions the layer exists for (not their requirements)."""
    from infra.build.layers import LAYERS

    return frozenset().union(*(top_names(name) for name in LAYERS[layer].requirements))


def functions(app: Any) -> dict[str, list[str]]:
    """Every deployed function (router or event source) -> its entry modules."""
    from functions import router_names

    out = {name: ["app", f"functions.{name}"] for name in router_names()}
    out.update({source.name: [source.handler_string.rsplit(".", 1)[0]] for source in app.event_sources})
    return out


def test_every_function_imports_only_what_its_layers_carry_and_uses_every_layer_it_takes(app):
    from infra.build.dependencies import reach
    from infra.build.layers import LAYERS, MAX_LAYERS, PROVIDED_BY_RUNTIME, layers_of

    problems = []
    for name, entries in sorted(functions(app).items()):
        reached = reach(entries)
        imported = reached.external - set(sys.stdlib_module_names) - PROVIDED_BY_RUNTIME
        taken = layers_of(name)
        assert len(taken) <= MAX_LAYERS, name
        available = frozenset().union(*(carried(layer) for layer in taken))
        if missing := imported - available:
            problems.append(f"{name} imports {sorted(missing)}, which its layers {taken} do not carry")
        for layer in taken:
            reads = set(LAYERS[layer].data_for)
            if reads:  # a layer of data files: taken only where a module reading them is reached
                if not reads & reached.modules:
                    problems.append(f"{name} takes the {layer} layer but never imports {sorted(reads)}")
            elif not own(layer) & imported:
                problems.append(f"{name} takes the {layer} layer but never imports {sorted(own(layer))}")
    assert not problems, "\n".join(problems)


def test_the_declaration_names_real_functions_and_layers(app):
    from infra.build.layers import EXTRA_LAYERS, LAYERS

    assert set(EXTRA_LAYERS) <= set(functions(app)), set(EXTRA_LAYERS) - set(functions(app))
    assert {layer for taken in EXTRA_LAYERS.values() for layer in taken} <= set(LAYERS)


def test_locks_follow_the_pins_of_requirements_txt():
    """A pin changed in requirements.txt without `python -m infra.build.layers lock` fails here."""
    from infra.build.layers import LAYERS, pinned_requirements, read_lock

    pins = pinned_requirements()
    locked: dict[str, str] = {}
    for layer in LAYERS:
        for line in read_lock(layer):
            name, version = line.split("==")
            assert name not in locked, f"{name} is in two layers"
            locked[canonicalize_name(name)] = version
    for layer in LAYERS.values():
        for name in layer.requirements:
            pin = pins[canonicalize_name(name)]
            assert pin.specifier.contains(locked[canonicalize_name(name)]), f"{layer.name}: {name} {pin.specifier}"


def test_one_sdk_the_tests_run_the_boto3_and_botocore_that_production_runs():
    from infra.build.layers import read_lock

    core = dict(line.split("==") for line in read_lock("core"))
    for name in ("boto3", "botocore", "s3transfer"):
        assert core[name] == metadata.version(name), f"{name}: core layer {core[name]}, tests {metadata.version(name)}"


def test_the_aws_models_the_core_layer_keeps_cover_every_service_the_code_calls():
    import re
    from pathlib import Path

    from infra.build.layers import AWS_SERVICES

    root = Path(__file__).resolve().parents[1]
    called = set()
    for package in ("layers", "functions", "scheduled"):
        for path in (root / package).rglob("*.py"):
            called |= set(re.findall(r"(?:\baws|\.client)\(\s*[\"']([a-z0-9-]+)[\"']", path.read_text()))
    assert called, "the pattern finds the calls"
    assert called <= set(AWS_SERVICES), called - set(AWS_SERVICES)


def test_what_a_function_imports_counts_lazy_imports_and_providers_named_by_parameter_or_name():
    from infra.build.dependencies import reach, submodules

    webhook = reach(["app", "functions.payments_webhook"])  # its handler takes the verified `event`
    assert "payments" in webhook.providers and "stripe" in webhook.external
    posts = reach(["app", "functions.posts"])
    assert "stripe" not in posts.external and "payments" not in posts.providers
    assert "payments" in reach(["scheduled.stripe_sync"]).providers  # bootstrap.provide("payments")
    assert set(submodules("layers.tasks.handlers")) <= reach(["functions.worker"]).modules
    assert set(submodules("scheduled")) <= reach(["app", "functions.admin_tasks"]).modules  # "run now"
