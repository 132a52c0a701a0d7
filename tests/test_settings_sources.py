"""Settings: environment first, secrets from SSM on real stages, no silent defaults for secrets."""
from __future__ import annotations

import pytest


def test_secrets_come_from_ssm_when_the_environment_lacks_them(monkeypatch):
    from layers.core import aws
    from layers.core.settings import get_settings, reset_settings

    ssm = aws.client("ssm")
    ssm.put_parameter(Name="/blog/test/JWT_SECRET", Value="s" * 48, Type="SecureString")
    ssm.put_parameter(Name="/blog/test/STRIPE_WEBHOOK_SECRET", Value="whsec_from_ssm", Type="SecureString")
    ssm.put_parameter(Name="/blog/test/UNRELATED", Value="ignored", Type="String")
    monkeypatch.setenv("SECRETS_SSM_PATH", "/blog/test")
    monkeypatch.delenv("JWT_SECRET")
    reset_settings()
    settings = get_settings()
    assert settings.jwt_secret.get_secret_value() == "s" * 48
    assert settings.stripe_webhook_secret.get_secret_value() == "whsec_from_ssm"


def test_the_environment_wins_over_ssm(monkeypatch):
    from layers.core import aws
    from layers.core.settings import get_settings, reset_settings

    aws.client("ssm").put_parameter(Name="/blog/test/JWT_SECRET", Value="s" * 48, Type="SecureString")
    monkeypatch.setenv("SECRETS_SSM_PATH", "/blog/test")
    reset_settings()
    assert get_settings().jwt_secret.get_secret_value() != "s" * 48


def test_a_missing_or_weak_jwt_secret_is_an_error(monkeypatch):
    from pydantic import ValidationError

    from layers.core.settings import get_settings, reset_settings

    monkeypatch.delenv("JWT_SECRET")
    reset_settings()
    with pytest.raises(ValidationError):
        get_settings()
    monkeypatch.setenv("JWT_SECRET", "short")
    reset_settings()
    with pytest.raises(ValidationError):
        get_settings()


def test_secrets_do_not_appear_in_reprs():
    from layers.core.settings import get_settings

    assert get_settings().jwt_secret.get_secret_value() not in repr(get_settings())
