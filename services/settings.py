"""Settings from environment variables and `.env`, one class per process (pydantic-settings).

Every variable is prefixed `SITREP_` except `REDIS_URL`, which users of Redis tools already know.
The README's settings table lists them all; keep it in step with these classes.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services import defaults


class CommonSettings(BaseSettings):
    """What every process needs: where Redis is and which queue to use."""

    model_config = SettingsConfigDict(env_prefix="SITREP_", env_file=".env", extra="ignore")

    redis_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("REDIS_URL", "SITREP_REDIS_URL"),
        description="Redis to use. Unset: `sitrep run` starts an embedded Redis; other commands refuse to start.",
    )
    queue_name: str = Field(default=defaults.QUEUE_NAME, description="RQ queue name.")
    log_level: str = Field(default="INFO", description="Python log level.")
    rules_file: str | None = Field(
        default=None, description="Alert rules YAML, reloaded on change; default services/notifier/default_rules.yaml."
    )


class IngestSettings(CommonSettings):
    """The HTTP ingest service."""

    max_body_bytes: int = Field(default=defaults.INGEST_MAX_BODY_BYTES, description="413 above this (one report).")
    max_batch_body_bytes: int = Field(
        default=defaults.INGEST_MAX_BATCH_BODY_BYTES, description="413 above this (a batch POST)."
    )
    max_batch_reports: int = Field(default=defaults.INGEST_MAX_BATCH_REPORTS, description="413 above this many.")
    job_max_reports: int = Field(default=defaults.JOB_MAX_REPORTS, description="Reports per RQ job, at most.")
    job_timeout_seconds: int = Field(default=defaults.JOB_TIMEOUT_SECONDS, description="RQ job timeout.")
    report_ttl_seconds: int = Field(default=defaults.REPORT_TTL_SECONDS, description="Report retention; 0 = keep.")


class WorkerSettings(CommonSettings):
    """An RQ worker."""

    event_ttl_seconds: int = Field(default=defaults.EVENT_TTL_SECONDS, description="Event retention; 0 = keep.")
    events_stream_maxlen: int = Field(default=defaults.EVENTS_STREAM_MAXLEN, description="Trim of sitrep:events.")
    worker_class: str = Field(
        default="rq.worker.Worker",
        description="RQ worker class: rq.worker.Worker (forks per job) or rq.worker.SimpleWorker.",
    )


class NotifierSettings(CommonSettings):
    """The notifier."""

    alerts_stream_maxlen: int = Field(default=defaults.ALERTS_STREAM_MAXLEN, description="Trim of the alert log.")
    consumer_name: str | None = Field(default=None, description="Consumer name in the group; default host-pid.")
    alert_source: str = Field(default="urn:sitrep:notifier", description="CloudEvents `source` of alerts.")
    group_wait_seconds: float | None = Field(
        default=None, ge=0, description="Overrides the rules' group wait for this notifier (0: alert at once)."
    )


@lru_cache
def ingest_settings() -> IngestSettings:
    return IngestSettings()
