"""Settings from environment variables and `.env`, one class per process (pydantic-settings).

Every variable is prefixed `SITREP_` except `REDIS_URL`, which users of Redis tools already know.
The README's settings table lists them all; keep it in step with these classes.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from core import defaults


class CommonSettings(BaseSettings):
    """What every process needs: where Redis is and which queue to use."""

    model_config = SettingsConfigDict(env_prefix="SITREP_", env_file=".env", extra="ignore")

    redis_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("REDIS_URL", "SITREP_REDIS_URL"),
        description="Redis to use. Unset: `sitrep run` starts an embedded Redis; other commands refuse to start.",
    )
    queue_name: str = Field(default=defaults.QUEUE_NAME, description="RQ queue name.")
    log_level: str = Field(
        default="INFO", description="Level of sitrep's own loggers: DEBUG, INFO, WARNING, ERROR or CRITICAL."
    )
    rules_file: str | None = Field(
        default=None, description="Alert rules YAML, reloaded on change; default services/notifier/default_rules.yaml."
    )
    webhook_queue_name: str = Field(
        default=defaults.WEBHOOK_QUEUE_NAME, description="RQ queue of webhook deliveries (workers drain it second)."
    )
    redis_appendfsync: Literal["always", "everysec", "no"] = Field(
        default="everysec", description="appendfsync of the Redis `sitrep run` starts (`always`: no loss window)."
    )
    redis_maxmemory_bytes: int | None = Field(
        default=None, ge=1 << 20, description="maxmemory of the Redis `sitrep run` starts; default a share of RAM."
    )
    webhook_secret_keys: SecretStr | None = Field(
        default=None,
        description="Fernet keys, comma-separated, that seal webhook secrets in Redis; the first seals, all open.",
    )

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        """A misspelt level stops the start with a message, instead of logging at a level nobody chose."""
        if value.upper() not in _LEVELS:
            raise ValueError(f"not one of {', '.join(_LEVELS)}")
        return value.upper()


_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class IngestSettings(CommonSettings):
    """The HTTP ingest service."""

    max_body_bytes: int = Field(default=defaults.INGEST_MAX_BODY_BYTES, description="413 above this (one report).")
    max_batch_body_bytes: int = Field(
        default=defaults.INGEST_MAX_BATCH_BODY_BYTES, description="413 above this (a batch POST)."
    )
    max_batch_reports: int = Field(default=defaults.INGEST_MAX_BATCH_REPORTS, description="413 above this many.")
    job_max_reports: int = Field(default=defaults.JOB_MAX_REPORTS, description="Reports per RQ job, at most.")
    job_timeout_seconds: int = Field(default=defaults.JOB_TIMEOUT_SECONDS, description="RQ job timeout.")
    event_max_mentions_shown: int = Field(
        default=defaults.EVENT_MAX_MENTIONS_SHOWN, ge=1, description="Mentions listed in events of lists and reports."
    )
    report_ttl_seconds: int = Field(default=defaults.REPORT_TTL_SECONDS, description="Report retention; 0 = keep.")
    admission_max_backlog: int = Field(
        default=defaults.ADMISSION_MAX_BACKLOG, ge=0, description="503 on ingest above this many reports waiting."
    )
    admission_max_memory_share: float = Field(
        default=defaults.ADMISSION_MAX_MEMORY_SHARE,
        gt=0.0,
        le=1.0,
        description="503 on ingest above this share of Redis maxmemory used.",
    )
    opentelemetry: bool = Field(
        default=False,
        description="FastAPI's native OpenTelemetry (spans, metrics, logs to the global providers).",
    )
    insecure_open: bool = Field(
        default=False,
        description="Serve with no API key on a non-loopback address (as --insecure-open); logged loudly.",
    )
    local_hosts_only: bool = Field(
        default=False,
        description="While open (no API key), answer only requests addressed to localhost, 127.0.0.1 or [::1], as"
        " on a loopback bind: for a container whose port is published on the host's loopback (DNS rebinding).",
    )
    forwarded_allow_ips: str = Field(
        default="",
        description="Comma-separated addresses (or networks) of the reverse proxies whose X-Forwarded-For and"
        " X-Forwarded-Proto the API believes; empty: none, the socket's peer is the client (for the per-address"
        " rate limit and the logs).",
    )
    rate_limit_per_second: float = Field(
        default=defaults.RATE_LIMIT_PER_SECOND,
        ge=0.0,
        description="Requests a second per API key (and per client address on an API open beyond loopback) unless"
        " the key sets its own; 429 with Retry-After past it; 0: no limit.",
    )
    rate_limit_burst_seconds: float = Field(
        default=defaults.RATE_LIMIT_BURST_SECONDS,
        gt=0.0,
        description="A caller may send this many seconds' worth of its rate at once after a quiet spell.",
    )
    map_outlines: bool = Field(
        default=True,
        description="At first start, fetch Natural Earth's country outlines for the board's map with `npm pack"
        " world-atlas` into SITREP_CACHE_DIR (no npm or offline: the map shows its points alone).",
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Web origins allowed to call the API, comma-separated; none by default."
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        """`https://a.example,https://b.example` in the environment; a list when given in code."""
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value


class WorkerSettings(CommonSettings):
    """An RQ worker."""

    event_ttl_seconds: int = Field(default=defaults.EVENT_TTL_SECONDS, ge=0, description="Event retention; 0 = keep.")
    events_stream_maxlen: int = Field(default=defaults.EVENTS_STREAM_MAXLEN, description="Trim of sitrep:events.")
    near_duplicate_ttl_seconds: int = Field(
        default=defaults.NEAR_DUPLICATE_TTL_SECONDS, ge=0, description="Retention of LSH band keys; 0 = keep."
    )
    near_duplicate_threshold: float = Field(
        default=defaults.NEAR_DUPLICATE_THRESHOLD, gt=0.0, le=1.0, description="Estimated Jaccard for a near-dup."
    )
    extraction_budget_seconds: float = Field(
        default=defaults.EXTRACTION_BUDGET_SECONDS, ge=0.0, description="One report's extraction time; 0 = no limit."
    )
    job_linger_seconds: float = Field(
        default=defaults.JOB_LINGER_SECONDS,
        ge=0.0,
        description="A report job with nothing left waits this long for new reports before it ends; 0 = not.",
    )
    job_open_seconds: float = Field(
        default=defaults.JOB_OPEN_SECONDS, ge=0.0, description="A running report job takes new reports this long."
    )
    worker_maintenance_seconds: int = Field(
        default=defaults.WORKER_MAINTENANCE_SECONDS,
        ge=10,  # RQ's socket timeout becomes this + 10 s: shorter would make workers quit on a short stall
        le=600,
        description="RQ's registry maintenance (retries a dead worker's jobs) this often; RQ's default is 600.",
    )
    worker_class: str = Field(
        default=defaults.WORKER_CLASS,
        description="RQ worker class: rq.worker.SimpleWorker (default) or rq.worker.Worker (forks per job).",
    )


class NotifierSettings(CommonSettings):
    """The notifier."""

    alerts_stream_maxlen: int = Field(default=defaults.ALERTS_STREAM_MAXLEN, description="Trim of the alert log.")
    consumer_name: str | None = Field(default=None, description="Consumer name in the group; default host-pid.")
    alert_source: str = Field(default="urn:sitrep:notifier", description="CloudEvents `source` of alerts.")
    group_wait_seconds: float | None = Field(
        default=None, ge=0, description="Overrides the rules' group wait for this notifier (0: alert at once)."
    )


class FeedSettings(IngestSettings):
    """The feed poller and `sitrep import`: they store reports as the API does, with its job and TTL settings."""

    feed_concurrency: int = Field(default=defaults.FEED_CONCURRENCY, ge=1, le=256, description="Feeds fetched at once.")
    feed_timeout_seconds: float = Field(
        default=defaults.FEED_TIMEOUT_SECONDS, gt=0, description="Budget per feed fetch."
    )
    feed_max_bytes: int = Field(default=defaults.FEED_MAX_BYTES, ge=1024, description="A larger feed is an error.")
    page_timeout_seconds: float = Field(
        default=defaults.PAGE_TIMEOUT_SECONDS, gt=0, description="Budget per article page fetch (summary-only items)."
    )
    page_max_bytes: int = Field(default=defaults.PAGE_MAX_BYTES, ge=1024, description="A larger page is not read.")
    page_fetches_per_poll: int = Field(
        default=defaults.PAGE_FETCHES_PER_POLL, ge=0, description="Article pages fetched per poll of a feed; 0 = none."
    )
    feed_jitter: float = Field(default=defaults.FEED_JITTER, ge=0, lt=1, description="Spread of poll times (share).")
    feed_backoff_first_seconds: float = Field(
        default=defaults.FEED_BACKOFF_FIRST_SECONDS, gt=0, description="Wait after a feed's first failure (doubles)."
    )
    feed_backoff_max_seconds: float = Field(
        default=defaults.FEED_BACKOFF_MAX_SECONDS, gt=0, description="Longest wait between failing polls."
    )
    feed_lease_seconds: int = Field(default=defaults.FEED_LEASE_SECONDS, ge=1, description="Hold on a feed per poll.")
    feed_seen_max: int = Field(default=defaults.FEED_SEEN_MAX, ge=100, description="Items remembered per feed.")
    feed_user_agent: str = Field(default=defaults.FEED_USER_AGENT, description="User-Agent of feed and page fetches.")
    feed_allow_private_addresses: bool = Field(
        default=False,
        description="Allow feed and page URLs on loopback, private or link-local addresses (refused by default: SSRF).",
    )


class DeliverySettings(CommonSettings):
    """SSE, webhooks and the dispatcher (core/delivery/, services/dispatcher.py, services/api/)."""

    alerts_stream_maxlen: int = Field(default=defaults.ALERTS_STREAM_MAXLEN, description="Trim of the alert log.")
    alerts_stream_max_age_seconds: int = Field(
        default=defaults.ALERTS_STREAM_MAX_AGE_SECONDS, ge=0, description="Age trim of the alert log; 0 = off."
    )
    consumer_name: str | None = Field(default=None, description="Consumer name in the group; default host-pid.")
    sse_heartbeat_seconds: float = Field(default=defaults.SSE_HEARTBEAT_SECONDS, gt=0, description="SSE keep-alive.")
    webhook_retry_seconds: Annotated[list[float], NoDecode] = Field(
        default=list(defaults.WEBHOOK_RETRY_SECONDS), description="Waits between webhook attempts, comma-separated."
    )
    webhook_retry_jitter: float = Field(default=defaults.WEBHOOK_RETRY_JITTER, ge=0, lt=1)
    webhook_timeout_seconds: float = Field(default=defaults.WEBHOOK_TIMEOUT_SECONDS, gt=0)
    webhook_allow_private_addresses: bool = Field(
        default=False,
        description="Allow webhook URLs on loopback, private or link-local addresses (refused by default: SSRF).",
    )
    webhook_delivery_ttl_seconds: int = Field(default=defaults.WEBHOOK_DELIVERY_TTL_SECONDS, gt=0)
    dispatcher_claim_idle_milliseconds: int = Field(default=defaults.DISPATCHER_CLAIM_IDLE_MILLISECONDS, gt=0)
    public_url: str = Field(
        default=defaults.PUBLIC_URL, description="Base of the links to reports and situations in receivers' messages."
    )

    @field_validator("webhook_retry_seconds", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        """`5,30,120` in the environment; a list when given in code."""
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("webhook_retry_seconds")
    @classmethod
    def _non_negative(cls, value: list[float]) -> list[float]:
        if any(wait < 0 for wait in value):
            raise ValueError("retry waits must not be negative")
        return value
