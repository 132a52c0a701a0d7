"""Settings from the environment (and, on a real stage, from SSM Parameter Store).

Every name in the HTTP contract's "Running it locally" section is a field here. Secrets are
never defaulted: a stage either sets them in the environment or points ``SECRETS_SSM_PATH`` at
a parameter path whose entries (``<path>/JWT_SECRET`` ...) fill whatever the environment lacks.
"""
from __future__ import annotations

import functools
import os
from typing import Any

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Names that may come from SSM when the environment does not set them.
SECRET_NAMES = (
    "JWT_SECRET",
    "STRIPE_SECRET_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "GOOGLE_CLIENT_SECRET",
    "DATABASE_URL",
    "REDIS_URL",  # may carry a password (ElastiCache AUTH)
    "CERTIFICATE_SECRET",
    "OPENAI_API_KEY",
    "FRONTEND_REVALIDATE_SECRET",
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    stage: str = Field("local", alias="STAGE")
    database_url: str = Field("postgresql://blog@127.0.0.1:54320/blog", alias="DATABASE_URL")
    db_pool_max: int = Field(4, alias="DB_POOL_MAX")
    # Short on purpose: with the database unreachable a request answers 503 in about this long
    # instead of holding a Lambda (and its caller) for the pool's default 30 s.
    db_connect_timeout: int = Field(2, ge=1, alias="DB_CONNECT_TIMEOUT")
    db_checkout_timeout: float = Field(2.0, gt=0, alias="DB_CHECKOUT_TIMEOUT")
    # psycopg prepares a statement after it ran this many times on a connection. Behind RDS Proxy
    # (or PgBouncer in transaction mode) named prepared statements pin the proxy connection to
    # the client, losing the multiplexing the proxy is there for: set 0 there to turn them off.
    db_prepare_threshold: int = Field(5, ge=0, alias="DB_PREPARE_THRESHOLD")
    # Reads (GETs) run outside a transaction. The tests turn this on to make those connections
    # read-only, so a GET that writes without declaring ``writes=True`` fails in the suite.
    db_guard_reads: bool = Field(False, alias="DB_GUARD_READS")
    # A failed task is retried after base, 2x base, 4x base ... seconds (at most 15 minutes).
    task_retry_base_seconds: int = Field(10, ge=1, le=300, alias="TASK_RETRY_BASE_SECONDS")
    redis_url: str = Field("redis://127.0.0.1:63790/0", alias="REDIS_URL")
    aws_endpoint_url: str | None = Field(None, alias="AWS_ENDPOINT_URL")
    aws_region: str = Field("us-east-1", alias="AWS_DEFAULT_REGION")
    port: int = Field(8000, alias="PORT")

    jwt_secret: SecretStr = Field(alias="JWT_SECRET")
    jwt_issuer: str = Field("blog-api", alias="JWT_ISSUER")
    jwt_audience: str = Field("blog-frontend", alias="JWT_AUDIENCE")
    access_token_ttl_seconds: int = Field(15 * 60, alias="ACCESS_TOKEN_TTL_SECONDS")
    refresh_token_ttl_days: int = Field(30, alias="REFRESH_TOKEN_TTL_DAYS")
    email_token_ttl_hours: int = Field(24, alias="EMAIL_TOKEN_TTL_HOURS")
    admin_emails: str = Field("", alias="ADMIN_EMAILS")

    frontend_origin: str = Field("http://localhost:3000", alias="FRONTEND_ORIGIN")
    public_api_url: str = Field("http://127.0.0.1:8000", alias="PUBLIC_API_URL")

    stripe_secret_key: SecretStr | None = Field(None, alias="STRIPE_SECRET_KEY")
    stripe_webhook_secret: SecretStr | None = Field(None, alias="STRIPE_WEBHOOK_SECRET")
    # JSON list of {name, price_id, amount (minor units), currency, interval}; the default's
    # price ids are placeholders for local use: a real stage sets its own.
    stripe_plans: str = Field(
        '[{"name": "monthly", "price_id": "price_monthly_placeholder", "amount": 900, "currency": "usd",'
        ' "interval": "month"}, {"name": "yearly", "price_id": "price_yearly_placeholder", "amount": 9000,'
        ' "currency": "usd", "interval": "year"}]',
        alias="STRIPE_PLANS",
    )

    google_client_id: str | None = Field(None, alias="GOOGLE_CLIENT_ID")
    google_client_secret: SecretStr | None = Field(None, alias="GOOGLE_CLIENT_SECRET")
    google_redirect_uri: str = Field(
        "http://localhost:3000/auth/google/callback", alias="GOOGLE_REDIRECT_URI"
    )
    google_authorization_endpoint: str = Field(
        "https://accounts.google.com/o/oauth2/v2/auth", alias="GOOGLE_AUTHORIZATION_ENDPOINT"
    )
    google_token_endpoint: str = Field(
        "https://oauth2.googleapis.com/token", alias="GOOGLE_TOKEN_ENDPOINT"
    )
    google_jwks_uri: str = Field("https://www.googleapis.com/oauth2/v3/certs", alias="GOOGLE_JWKS_URI")
    google_issuer: str = Field("https://accounts.google.com", alias="GOOGLE_ISSUER")

    rate_limit_anon: str = Field("100/hour", alias="RATE_LIMIT_ANON")
    rate_limit_user: str = Field("500/hour", alias="RATE_LIMIT_USER")
    rate_limit_auth: str = Field("10/minute", alias="RATE_LIMIT_AUTH")
    rate_limit_rag: str = Field("20/minute", alias="RATE_LIMIT_RAG")
    rate_limit_code: str = Field("10/minute", alias="RATE_LIMIT_CODE")

    tasks_queue_name: str = Field("blog-tasks", alias="TASKS_QUEUE_NAME")
    tasks_dlq_name: str = Field("blog-tasks-dlq", alias="TASKS_DLQ_NAME")
    uploads_bucket: str = Field("blog-uploads", alias="UPLOADS_BUCKET")
    site_bucket: str = Field("blog-site", alias="SITE_BUCKET")
    email_sender: str = Field("no-reply@blog.local", alias="EMAIL_SENDER")

    max_body_bytes: int = Field(1_000_000, alias="MAX_BODY_BYTES")

    # Code execution (one WebAssembly instance per run). Concurrency is per warm function.
    code_timeout_seconds: float = Field(5.0, gt=0, le=60, alias="CODE_TIMEOUT_SECONDS")
    code_memory_mb: int = Field(256, ge=32, le=4096, alias="CODE_MEMORY_MB")
    code_output_bytes: int = Field(65536, ge=1024, alias="CODE_OUTPUT_BYTES")
    code_scratch_bytes: int = Field(16 * 2**20, ge=65536, alias="CODE_SCRATCH_BYTES")
    code_max_concurrent: int = Field(2, ge=1, le=64, alias="CODE_MAX_CONCURRENT")
    code_cache_dir: str | None = Field(None, alias="CODE_CACHE_DIR")

    # Search and Ask AI. Embeddings: "local" runs all-MiniLM-L6-v2 offline, "openai" a hosted
    # model (asked for 384 dimensions, the column's size), "hash" a stand-in without meaning.
    embeddings_provider: str = Field("local", pattern="^(local|openai|hash)$", alias="EMBEDDINGS_PROVIDER")
    embedding_tokenizer_path: str | None = Field(None, alias="EMBEDDING_TOKENIZER_PATH")
    # Answers: "extractive" quotes the best sentences offline, "openai" asks a hosted model.
    answers_provider: str = Field("extractive", pattern="^(extractive|openai)$", alias="ANSWERS_PROVIDER")
    openai_api_key: SecretStr | None = Field(None, alias="OPENAI_API_KEY")
    openai_base_url: str = Field("https://api.openai.com/v1", alias="OPENAI_BASE_URL")
    openai_embedding_model: str = Field("text-embedding-3-small", alias="OPENAI_EMBEDDING_MODEL")
    openai_answer_model: str = Field("gpt-4o-mini", alias="OPENAI_ANSWER_MODEL")
    # HNSW candidates per vector query: recall@10 against exact search is measured in benchmarks/.
    hnsw_ef_search: int = Field(64, ge=10, le=1000, alias="HNSW_EF_SEARCH")

    # Learning. FSRS aims each review at this probability of recall; intervals never exceed the cap.
    srs_desired_retention: float = Field(0.9, gt=0.5, lt=1.0, alias="SRS_DESIRED_RETENTION")
    srs_maximum_interval_days: int = Field(3650, ge=1, le=36500, alias="SRS_MAXIMUM_INTERVAL_DAYS")
    quiz_size: int = Field(5, ge=1, le=50, alias="QUIZ_SIZE")
    quiz_pass_percent: int = Field(60, ge=0, le=100, alias="QUIZ_PASS_PERCENT")
    # Signs certificate codes; without it a key is derived from JWT_SECRET.
    certificate_secret: SecretStr | None = Field(None, alias="CERTIFICATE_SECRET")
    # Interview feedback: "keypoints" matches key points offline (embeddings and words), "openai"
    # asks the hosted model (OPENAI_API_KEY, OPENAI_ANSWER_MODEL) which key points an answer covers.
    interview_grader: str = Field("keypoints", pattern="^(keypoints|openai)$", alias="INTERVIEW_GRADER")

    # Content revalidation: each target is used only when configured. Edits to one subject
    # within the coalescing window are purged together (the sweep sends the task once due).
    cloudfront_distribution_id: str | None = Field(None, alias="CLOUDFRONT_DISTRIBUTION_ID")
    cloudfront_max_paths: int = Field(50, ge=1, le=3000, alias="CLOUDFRONT_MAX_PATHS")  # more: one "/*"
    frontend_revalidate_url: str | None = Field(None, alias="FRONTEND_REVALIDATE_URL")
    frontend_revalidate_secret: SecretStr | None = Field(None, alias="FRONTEND_REVALIDATE_SECRET")
    revalidate_timeout_seconds: float = Field(5.0, gt=0, le=60, alias="REVALIDATE_TIMEOUT_SECONDS")
    revalidate_coalesce_seconds: int = Field(30, ge=0, le=900, alias="REVALIDATE_COALESCE_SECONDS")
    indexnow_key: str | None = Field(None, alias="INDEXNOW_KEY")
    indexnow_endpoint: str = Field("https://api.indexnow.org/indexnow", alias="INDEXNOW_ENDPOINT")

    @field_validator("jwt_secret")
    @classmethod
    def _secret_long_enough(cls, value: SecretStr) -> SecretStr:
        if len(value.get_secret_value()) < 32:
            raise ValueError("JWT_SECRET must be at least 32 characters")
        return value

    @property
    def admin_email_set(self) -> frozenset[str]:
        return frozenset(e.strip().lower() for e in self.admin_emails.split(",") if e.strip())


def _ssm_values(path: str) -> dict[str, Any]:
    """Secrets stored under an SSM path, keyed by their last path segment."""
    import boto3  # lazy; settings cannot use layers.core.aws, which needs settings itself

    ssm = boto3.client(
        "ssm",
        endpoint_url=os.environ.get("AWS_ENDPOINT_URL"),
        region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
    )
    values: dict[str, Any] = {}
    paginator = ssm.get_paginator("get_parameters_by_path")
    for page in paginator.paginate(Path=path, WithDecryption=True, Recursive=False):
        for param in page["Parameters"]:
            name = param["Name"].rsplit("/", 1)[-1]
            if name in SECRET_NAMES:
                values[name] = param["Value"]
    return values


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; read once per warm Lambda container."""
    overrides: dict[str, Any] = {}
    ssm_path = os.environ.get("SECRETS_SSM_PATH")
    if ssm_path:
        overrides = {k: v for k, v in _ssm_values(ssm_path).items() if k not in os.environ}
    return Settings(**overrides)


def reset_settings() -> None:
    """Forget cached settings (tests change the environment between cases)."""
    get_settings.cache_clear()
