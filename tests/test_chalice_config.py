"""``.chalice/config.json`` configures only functions the app really has."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CONFIG = Path(__file__).resolve().parents[1] / ".chalice" / "config.json"


def test_lambda_function_settings_name_real_functions(app: Any) -> None:
    from functions import router_names

    # A router's function is named after the router; the worker's and each schedule's after
    # their Chalice event source (``task_worker``, the job name).
    real = set(router_names()) | {source.name for source in app.event_sources}
    stages = json.loads(CONFIG.read_text())["stages"]
    configured = {stage: set(cfg.get("lambda_functions", {})) for stage, cfg in stages.items()}
    assert any(configured.values()), "the config tunes at least one function"
    unknown = {stage: sorted(names - real) for stage, names in configured.items() if names - real}
    assert not unknown, f"lambda_functions name functions that do not exist: {unknown}"
