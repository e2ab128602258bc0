"""Typed settings, read from `VECINOS_*` variables (and `VECINOS_*_FILE` for secrets).

Settings are built by whoever starts the program (the CLI, the app factory, a test), never at
import time, so a test or a second app in the same process can hold different settings.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

ENV_PREFIX = "VECINOS_"
PLACEHOLDER_SECRET = "change-me"  # noqa: S105 - the value we refuse, not a secret
# A generous outline around Los Angeles County (mainland), longitude/latitude.
LA_COUNTY_AREA = (
    '{"type": "Polygon", "coordinates": [[[-118.95, 34.82], [-117.65, 34.82],'
    " [-117.65, 33.70], [-118.95, 33.70], [-118.95, 34.82]]]}"
)


class ConfigError(Exception):
    """The settings cannot run a deployment; the message says which one and why."""


class FileSecretsSource(PydanticBaseSettingsSource):
    """`VECINOS_SECRET_KEY_FILE=/run/secrets/key` sets `secret_key` from that file's content.

    Container orchestrators mount secrets as files; reading them keeps secrets out of the
    process environment, where they leak into crash reports and `ps e`.
    """

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        path = os.environ.get(f"{ENV_PREFIX}{field_name.upper()}_FILE")
        if not path:
            return None, field_name, False
        try:
            return Path(path).read_text().strip(), field_name, False
        except OSError as exc:
            variable = f"{ENV_PREFIX}{field_name.upper()}_FILE"
            raise ConfigError(f"{variable}: cannot read {path}: {exc}") from exc

    def __call__(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, field in self.settings_cls.model_fields.items():
            value, key, _ = self.get_field_value(field, name)
            if value is not None:
                values[key] = value
        return values


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    data_dir: Path = Field(Path("var"), description="Where the SQLite file and media live.")
    database_url: str = Field("", description="SQLAlchemy URL; empty means SQLite in data_dir.")
    secret_key: SecretStr = Field(
        SecretStr(PLACEHOLDER_SECRET),
        description="Signs tokens and derives encryption keys. Refused at its placeholder.",
    )
    old_secret_keys: SecretStr = Field(
        SecretStr(""), description="Earlier secret keys, comma-separated, kept for rotation."
    )
    public_url: str = Field("http://127.0.0.1:8000", description="Base of links we send out.")
    coalition_name: str = Field("vecinos", description="Shown on pages and in messages.")
    cookie_secure: bool = Field(True, description="Send session cookies over HTTPS only.")
    session_hours: int = Field(12, ge=1, le=24 * 30, description="Idle session lifetime.")
    invite_hours: int = Field(72, ge=1, le=24 * 30, description="How long an invite link works.")
    login_free_attempts: int = Field(5, ge=1, description="Failed logins before back-off starts.")
    login_max_lockout_seconds: int = Field(900, ge=1, description="Longest back-off.")
    default_language: str = Field("es", description="Language when none is asked for.")
    log_level: str = Field("INFO", description="Python logging level.")
    map_tile_url: str = Field(
        "",
        description="Map tiles, e.g. https://tiles.example.org/{z}/{x}/{y}.png; empty: no tiles.",
    )
    map_tile_attribution: str = Field("", description="Credit line the tile provider asks for.")
    map_pmtiles: str = Field(
        "basemap.pmtiles",
        description="A PMTiles basemap the app serves itself (relative to data_dir); used when"
        " present and no tile URL is set.",
    )
    rights_overrides: Path | None = Field(
        None,
        description="A YAML file, or a directory of them, with the coalition's own rights material"
        " (hotline, legal partners, extra topics, reviewed translations); see docs/rights.md.",
    )
    rights_paper: Literal["letter", "a4"] = Field(
        "letter", description="Paper size of printed rights cards and posters."
    )
    dispatch_offer_seconds: int = Field(
        120, ge=10, description="How long a responder has to accept an offer before it expires."
    )
    dispatch_offer_batch: int = Field(
        3, ge=1, le=50, description="How many responders are offered an assignment at once."
    )
    dispatch_responders_needed: int = Field(
        1, ge=1, le=10, description="Accepted responders that staff a verification."
    )
    dispatch_radius_m: int = Field(
        3000, ge=100, description="First search radius around an incident, in metres."
    )
    dispatch_max_radius_m: int = Field(
        15000, ge=100, description="Widest search radius before partner organizations are asked."
    )
    dispatch_capability_penalty_m: int = Field(
        1500,
        ge=0,
        description="Metres added to a responder's distance per wanted capability missing.",
    )
    dispatch_location_max_age_minutes: int = Field(
        60, ge=1, description="A responder whose location is older than this is not offered work."
    )
    dispatch_shift_max_hours: int = Field(
        16, ge=1, le=72, description="Open shifts older than this are checked out by the worker."
    )
    worker_in_process: bool = Field(
        True, description="`vecinos serve` runs a background worker inside the server process."
    )
    worker_poll_seconds: float = Field(
        5.0, gt=0, le=300, description="Pause between two rounds of the background worker."
    )
    worker_batch_size: int = Field(
        100, ge=1, le=10000, description="Most items one job handles in one round of the worker."
    )
    # Reports and incidents (issue 3, intake half).
    service_area_geojson: str = Field(
        LA_COUNTY_AREA,
        description="GeoJSON Polygon/MultiPolygon (lon, lat) that reports must fall inside.",
    )
    report_max_bytes: int = Field(16_384, ge=1024, description="Largest report request body.")
    request_max_bytes: int = Field(
        1024 * 1024,
        ge=16_384,
        description="Largest request body of any route but the media uploads (their own limits).",
    )
    report_description_max: int = Field(1000, ge=0, description="Longest report description.")
    report_photos_max: int = Field(3, ge=0, le=20, description="Photos one report may carry.")
    report_photos_per_minute: int = Field(
        30, ge=1, description="Residents' report photos accepted per minute, everyone together."
    )
    report_max_age_hours: int = Field(
        24, ge=1, description="Refuse reports observed longer ago than this."
    )
    contact_retention_hours: int = Field(
        72, ge=1, description="Callback contacts are purged this long after the report."
    )
    text_conversation_minutes: int = Field(
        15,
        ge=2,
        le=120,
        description="A REPORT conversation by text not finished within this is dropped.",
    )
    hotline_ring_seconds: int = Field(
        20, ge=5, le=60, description="How long on-shift operators ring before a message is taken."
    )
    hotline_message_seconds: int = Field(
        120, ge=15, le=600, description="Longest message a hotline caller may leave."
    )
    hotline_captcha: Literal["auto", "always", "off"] = Field(
        "auto",
        description=(
            "Callers press digits they hear before the menu: always, off, or auto (when calls"
            " per minute reach VECINOS_HOTLINE_CAPTCHA_CALLS_PER_MINUTE)."
        ),
    )
    hotline_captcha_calls_per_minute: int = Field(
        20, ge=1, description="Calls per minute at which the voice CAPTCHA switches itself on."
    )
    hotline_calls_per_caller_per_hour: int = Field(
        6, ge=1, description="Calls one number may make to the hotline in an hour."
    )
    hotline_max_open_calls: int = Field(
        30,
        ge=1,
        description="Calls in the menu, ringing or leaving a message at once beyond which a"
        " new caller hears that the line is saturated (and to text REPORT instead).",
    )
    hotline_message_days: int = Field(
        30, ge=1, le=3650, description="A hotline caller's voice message is erased after this."
    )
    hotline_call_log_days: int = Field(
        90,
        ge=1,
        le=3650,
        description="Hotline call-log rows (a caller's keyed index, language, who answered) are"
        " deleted after this; the hotline metrics reach no further back.",
    )
    keyring_dir: Path | None = Field(
        None,
        description="Where the data keys of contacts live (files destroyed when their period"
        " ends); empty: data_dir/keyring. Shared by every process; never in a backup.",
    )
    subscriber_key_hours: int = Field(
        24,
        ge=1,
        le=24 * 31,
        description="Subscribers' contacts are re-sealed under a new data key this often; the"
        " old key, and any copy of an ended subscription's contact, is then unreadable.",
    )
    intake_per_source_per_minute: int = Field(
        6, ge=1, description="Public reports one device or phone may send per minute."
    )
    intake_global_per_second: int = Field(
        200, ge=1, description="Public reports accepted per second from everyone together."
    )
    intake_corroboration_reserve: float = Field(
        0.3,
        ge=0,
        lt=1,
        description="Share of the public intake ceiling only reports that join an existing"
        " incident may use, so a flood of new incidents cannot lock corroborating reporters out.",
    )
    report_proof_of_work: bool = Field(
        True,
        description="Public reports carry a solved ALTCHA proof-of-work challenge"
        " (GET /api/reports/challenge), each usable once.",
    )
    report_challenge_work: int = Field(
        50_000,
        ge=10,
        description="Search space of a challenge when intake is calm (a phone tries half on"
        " average); it grows with the load, up to report_challenge_work_max.",
    )
    report_challenge_work_max: int = Field(
        5_000_000, ge=10, description="Largest search space a challenge grows to under a flood."
    )
    report_challenge_calm_per_minute: int = Field(
        120,
        ge=1,
        description="Public reports a minute below which challenges stay at their calm cost;"
        " above it their cost grows in proportion.",
    )
    report_challenge_minutes: int = Field(
        10, ge=1, le=120, description="Minutes a challenge may be solved and used in."
    )
    board_flood_threshold: int = Field(
        25,
        ge=1,
        description="One-source incidents awaiting review above which the board folds them"
        " into one 'possible flood' group below the corroborated ones.",
    )
    cluster_radius_m: int = Field(
        500, ge=10, le=20_000, description="A report joins an open incident this close."
    )
    cluster_window_minutes: int = Field(
        45, ge=1, description="… if observed within this many minutes of its latest report."
    )
    cluster_h3_resolution: int = Field(8, ge=5, le=11, description="H3 cells of incidents.")
    public_h3_resolution: int = Field(
        7, ge=4, le=9, description="Coarse H3 cells whose centre is an incident's public place."
    )
    incident_expiry_minutes: int = Field(
        120, ge=5, description="An incident nobody verified in this time becomes expired."
    )
    incident_stream_seconds: int = Field(
        300, ge=1, description="A board's event stream closes after this; browsers reconnect."
    )
    sse_max_streams: int = Field(
        5000,
        ge=1,
        description="Live event streams (boards, alerts pages) one web process keeps open at"
        " once; more are asked to come back shortly (503), before the process runs out of file"
        " descriptors or memory.",
    )

    # Alerts: subscriptions, texts and channels (issue 4).
    alert_confirm_minutes: int = Field(
        30, ge=5, le=24 * 60, description="How long an opt-in code or link works."
    )
    alert_confirm_attempts: int = Field(
        5, ge=1, le=20, description="Wrong opt-in codes allowed before the code stops working."
    )
    alert_optins_per_minute: int = Field(
        60, ge=1, description="Opt-in codes and links sent per minute on each channel, everyone."
    )
    alert_optins_per_day: int = Field(
        5000, ge=1, description="Opt-in codes and links sent per day on each channel, everyone."
    )
    alert_optins_per_contact_per_hour: int = Field(
        3, ge=1, description="Opt-in codes or links one phone or address is sent per hour."
    )
    inbound_texts_per_minute: int = Field(
        30000,
        ge=1,
        description="Texts to our number answered per minute, everyone together (STOP always).",
    )
    alert_expiry_minutes: int = Field(
        240, ge=15, description="An alert is no longer shown or sent this long after it is made."
    )
    alert_timezone: str = Field(
        "America/Los_Angeles", description="Time zone of the times written in alert texts."
    )
    alert_h3_resolution: int = Field(
        7, ge=5, le=9, description="H3 cells that index zone subscriptions (7: ~1.4 km edges)."
    )
    outbound_timeout_seconds: float = Field(
        10.0, gt=0, le=120, description="Time limit of every outgoing HTTP request."
    )
    outbound_allow_http: bool = Field(
        False, description="Allow plain-http push and webhook endpoints (tests, demos only)."
    )
    outbound_allow_private: bool = Field(
        False,
        description="Allow outgoing requests to private, loopback and link-local addresses"
        " (tests and demos with local stand-ins only).",
    )
    push_services: str = Field(
        "fcm.googleapis.com,updates.push.services.mozilla.com,*.push.apple.com,"
        "*.notify.windows.com",
        description="Hosts of the Web Push services a subscription may point at, comma-separated"
        " (`*.` for any subdomain).",
    )
    twilio_base_url: str = Field(
        "https://api.twilio.com", description="Twilio's REST API root (a stand-in in tests)."
    )
    twilio_account_sid: str = Field("", description="Twilio account SID; empty disables SMS.")
    twilio_auth_token: SecretStr = Field(
        SecretStr(""), description="Twilio auth token; also checks inbound webhook signatures."
    )
    twilio_from_number: str = Field("", description="The number alerts are sent from (E.164).")
    twilio_whatsapp_from: str = Field(
        "",
        description="The WhatsApp sender (E.164, without `whatsapp:`) alerts and replies to"
        " WhatsApp go from; empty disables the WhatsApp channel.",
    )
    twilio_whatsapp_template_sid: str = Field(
        "",
        description="A WhatsApp template approved by Meta (Twilio's Content SID, `HX…`) whose one"
        " variable, {{1}}, carries the message. WhatsApp delivers plain messages only within 24"
        " hours of the person's last message to us; with a template, alerts and follow-ups reach"
        " everyone. Empty: plain messages.",
    )
    smtp_host: str = Field("", description="SMTP server for e-mail; empty disables e-mail.")
    smtp_port: int = Field(587, ge=1, le=65535, description="SMTP port (587 with STARTTLS).")
    smtp_starttls: bool = Field(True, description="Upgrade the SMTP connection with STARTTLS.")
    smtp_username: str = Field("", description="SMTP login; empty sends without AUTH.")
    smtp_password: SecretStr = Field(SecretStr(""), description="SMTP password.")
    smtp_from: str = Field("alerts@vecinos.invalid", description="Sender address of e-mails.")
    smtp_ca_file: Path | None = Field(
        None, description="Extra CA certificate (PEM) trusted for the SMTP server's TLS."
    )
    vapid_private_key: SecretStr = Field(
        SecretStr(""), description="VAPID private key (PEM or base64url) for Web Push."
    )
    demo_inbox: bool = Field(
        False,
        description="`vecinos demo` only: texts, e-mails and notifications no provider is"
        " configured for go to a staff-only inbox page (/demo/inbox).",
    )
    vapid_subject: str = Field(
        "mailto:alerts@vecinos.invalid", description="VAPID contact claim (mailto: or https:)."
    )

    # Alerts: publishing and the delivery worker (issue 4, fan-out half).
    place_landmark_radius_m: int = Field(
        800,
        ge=50,
        le=5000,
        description="Alerts name a landmark only when it lies within this distance of the"
        " incident.",
    )
    alert_hold_seconds: int = Field(
        120,
        ge=0,
        le=3600,
        description="A confirmed incident alerts on its own after this, unless a dispatcher"
        " published first.",
    )
    alert_max_attempts: int = Field(
        6, ge=1, le=50, description="Attempts at one delivery before it is marked failed."
    )
    alert_retry_base_seconds: float = Field(
        15.0, gt=0, description="First retry delay of a delivery; doubles with each attempt."
    )
    alert_retry_max_seconds: float = Field(
        900.0, gt=0, description="Longest delay between two attempts at one delivery."
    )
    alert_claim_seconds: int = Field(
        120, ge=5, description="A delivery a crashed worker had claimed is retried after this."
    )
    # Rates are the provider accounts' limits: every worker of the deployment shares them.
    alert_sms_per_second: float = Field(
        10.0, gt=0, description="Most texts sent per second, all workers together."
    )
    alert_whatsapp_per_second: float = Field(
        10.0, gt=0, description="Most WhatsApp messages sent per second, all workers together."
    )
    alert_email_per_second: float = Field(
        20.0, gt=0, description="Most e-mails sent per second, all workers together."
    )
    alert_push_per_second: float = Field(
        500.0, gt=0, description="Most Web Push messages sent per second, all workers together."
    )
    alert_webhook_per_second: float = Field(
        50.0, gt=0, description="Most partner webhook calls per second, all workers together."
    )
    # How many messages of a channel one worker keeps on the wire at once: at a provider's
    # latency L seconds, a channel sends at most in_flight / L messages a second per worker.
    alert_sms_in_flight: int = Field(
        64, ge=1, le=1000, description="Texts one worker has on the wire at once."
    )
    alert_email_in_flight: int = Field(
        4, ge=1, le=100, description="SMTP sessions one worker keeps open and sends through."
    )
    alert_push_in_flight: int = Field(
        64, ge=1, le=1000, description="Web Push requests one worker has on the wire at once."
    )
    alert_webhook_in_flight: int = Field(
        16, ge=1, le=1000, description="Partner webhook calls one worker has on the wire at once."
    )
    alert_approval_recipients: int = Field(
        10_000,
        ge=0,
        description="An alert that would reach more people than this needs a second staff"
        " member's approval (unconfirmed notices always do).",
    )
    alert_approval_minutes: int = Field(
        15, ge=1, le=24 * 60, description="How long a second person has to approve an alert."
    )
    alert_alarm_window_minutes: int = Field(
        15, ge=1, le=24 * 60, description="The window the alert-volume alarm counts over."
    )
    alert_alarm_alerts: int = Field(
        20, ge=1, description="More alerts than this in the window pause every delivery."
    )
    alert_alarm_recipients: int = Field(
        200_000,
        ge=1,
        description="More recipients than this in the window pause every delivery.",
    )
    alert_sms_form: Literal["full", "short"] = Field(
        "full",
        description="Which form of an alert an SMS carries: the full text (up to 360"
        " characters, several segments) or the short one (up to 90).",
    )

    @field_validator("service_area_geojson")
    @classmethod
    def _service_area_is_a_polygon(cls, value: str) -> str:
        # Fail at start-up, not on every report, when the service area cannot be read. The
        # built-in outline is a constant, checked by the tests (tests/test_config.py) rather
        # than at every start, where it would load shapely and numpy before the first request.
        if value == LA_COUNTY_AREA:
            return value
        from vecinos.errors import AppError
        from vecinos.shapes import parse_area

        try:
            parse_area(json.loads(value))
        except (ValueError, AppError) as exc:
            raise ValueError(f"VECINOS_SERVICE_AREA_GEOJSON: {exc}") from exc
        return value

    # Evidence: media, recordings, legal exports, retention (issue 7, evidence half).
    evidence_max_bytes: int = Field(
        500 * 1024 * 1024, ge=1024, description="Largest photo, video or audio file accepted."
    )
    evidence_chunk_max_bytes: int = Field(
        16 * 1024 * 1024, ge=1024, description="Largest single chunk of a browser recording."
    )
    evidence_storage: Literal["local", "s3"] = Field(
        "local", description="Where media originals live: `local` (data_dir/evidence) or `s3`."
    )
    evidence_s3_bucket: str = Field("", description="S3-compatible bucket for media.")
    evidence_s3_endpoint_url: str = Field(
        "", description="S3-compatible endpoint (MinIO, Ceph, …); empty: AWS's own."
    )
    evidence_s3_region: str = Field("us-east-1", description="Region of the media bucket.")
    evidence_s3_access_key_id: str = Field("", description="Access key of the media bucket.")
    evidence_s3_secret_access_key: SecretStr = Field(
        SecretStr(""), description="Secret key of the media bucket."
    )
    evidence_s3_prefix: str = Field("", description="Key prefix of every object in the bucket.")
    evidence_signing_key: SecretStr = Field(
        SecretStr(""),
        description="Ed25519 private key (PEM) that signs legal exports; empty: a key file in"
        " data_dir, created on first use.",
    )
    evidence_c2pa_certificate: Path | None = Field(
        None,
        description="PEM certificate chain that signs C2PA content credentials on exported"
        " photos; empty: no content credentials.",
    )
    evidence_c2pa_key: SecretStr = Field(
        SecretStr(""), description="PEM private key of that certificate."
    )
    evidence_recording_idle_minutes: int = Field(
        15, ge=1, description="A recording with no new chunk for this long is sealed as it is."
    )

    # After an arrest: follow-up cases and time-stamps (issue 18).
    case_partners_file: Path | None = Field(
        None,
        description="YAML file of the coalition's legal partners and bond funds (with the age"
        " public keys cases are exported to) and extra detention facilities.",
    )
    case_retention_days: int = Field(
        90, ge=1, description="Closed follow-up cases are purged this long after closing."
    )
    tsa_url: str = Field(
        "", description="RFC 3161 time-stamping authority; empty: hashes wait in the queue."
    )
    tsa_certificate: Path | None = Field(
        None,
        description="PEM file with the time-stamping authority's certificate and its CA chain;"
        " answers are checked against it on arrival and by `vecinos export verify`.",
    )
    tsa_retry_base_seconds: float = Field(
        30.0, gt=0, description="First retry delay of a time-stamp request; doubles each time."
    )
    tsa_retry_max_seconds: float = Field(
        3600.0, gt=0, description="Longest delay between two time-stamp requests for one hash."
    )

    # Insights: dashboards and the public transparency page (issue 7, insights half).
    insights_coverage_minutes: int = Field(
        10,
        ge=1,
        le=120,
        description="Coverage map: a request counts as reached when a responder"
        " is on scene within this many minutes.",
    )
    transparency_min_incidents: int = Field(
        5, ge=5, description="The public page hides every count below this (never below 5)."
    )
    transparency_min_age_hours: int = Field(
        24, ge=24, description="The public page counts only incidents at least this old."
    )

    # Coverage you can plan: schedules, reminders, accompaniment (issue 17).
    coverage_horizon_days: int = Field(
        28, ge=1, le=366, description="Scheduled slots are made this many days ahead."
    )
    coverage_late_minutes: int = Field(
        10,
        ge=1,
        le=240,
        description="A scheduled volunteer not checked in this long after the start is reminded.",
    )
    coverage_short_notice_hours: int = Field(
        24,
        ge=1,
        le=336,
        description="Qualified volunteers hear of a short slot starting within this many hours.",
    )
    coverage_check_in_early_minutes: int = Field(
        30, ge=0, le=240, description="How early a scheduled volunteer may check in for a slot."
    )
    accompaniment_retention_hours: int = Field(
        48,
        ge=1,
        le=24 * 90,
        description="An accompaniment request is deleted this long after its date.",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, FileSecretsSource(settings_cls), env_settings)

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'vecinos.db'}"

    @property
    def secret(self) -> str:
        return self.secret_key.get_secret_value()

    @property
    def old_secrets(self) -> list[str]:
        return [k for k in self.old_secret_keys.get_secret_value().split(",") if k.strip()]

    @property
    def uses_placeholder_secret(self) -> bool:
        return self.secret_key.get_secret_value() in ("", PLACEHOLDER_SECRET)

    def require_real_secrets(self) -> None:
        """Refuse to run a real deployment with the placeholder secret."""
        if self.uses_placeholder_secret:
            raise ConfigError(
                "VECINOS_SECRET_KEY is still the placeholder. Set it (or VECINOS_SECRET_KEY_FILE)"
                " to a long random value, e.g. the output of `python -c 'import secrets;"
                " print(secrets.token_urlsafe(48))'`. Only `vecinos demo` runs without one."
            )
        if len(self.secret_key.get_secret_value()) < 32:
            raise ConfigError("VECINOS_SECRET_KEY must be at least 32 characters long.")

    def masked(self) -> dict[str, str]:
        """Every effective setting as text, secrets shown only as set / not set."""
        shown: dict[str, str] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                shown[name] = _mask_secret(name, value, self.uses_placeholder_secret)
            else:
                shown[name] = str(value)
        shown["database_url"] = _mask_url_password(self.effective_database_url)
        return shown


def _mask_secret(name: str, value: SecretStr, placeholder: bool) -> str:
    if name == "secret_key" and placeholder:
        return "(placeholder: set VECINOS_SECRET_KEY)"
    return "********" if value.get_secret_value() else "(not set)"


def _mask_url_password(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def load_settings(**overrides: Any) -> Settings:
    try:
        return Settings(**overrides)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
