"""Settings read from GISGRID_* environment variables."""

from __future__ import annotations

import os

DEFAULT_DATABASE_URL = "postgresql+psycopg2://gisgrid:gisgrid@127.0.0.1:5432/gisgrid"
# the development secret: a production start refuses it (gisgrid/security/startup.py)
DEFAULT_SECRET_KEY = "dev-only-change-me"


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw not in (None, "") else default


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    return raw.strip().lower() not in ("0", "false", "no", "off") if raw not in (None, "") else default


def _env_list(name: str, default: str) -> tuple[str, ...]:
    raw = os.environ.get(name)
    return tuple(item.strip() for item in (default if raw is None else raw).split(",") if item.strip())


def audit_hash() -> str:
    """GISGRID_AUDIT_HASH: ``sm3`` or ``sha256`` (the default; anything else is refused at start)."""
    value = (os.environ.get("GISGRID_AUDIT_HASH") or "sha256").strip().lower()
    if value not in ("sha256", "sm3"):
        raise ValueError(f"GISGRID_AUDIT_HASH must be sha256 or sm3, not {value!r}")
    return value


def _pool_size() -> int:
    """Connections each engine keeps: GISGRID_DB_POOL_SIZE, else one per request thread plus two."""
    # a gthread worker runs GISGRID_THREADS requests at once (gisgrid-web.service, scripts/dev run); the
    # resident-version builder and a spare make two more. Past its pool size SQLAlchemy closes every
    # connection it gets back, so a smaller pool opened and closed connections all through a write load,
    # each a new PostgreSQL backend with cold caches (docs/operations.md, "Connections kept per worker")
    threads = int(os.environ.get("GISGRID_THREADS", "8"))
    return int(os.environ.get("GISGRID_DB_POOL_SIZE", str(threads + 2)))


def from_env() -> dict:
    """Build the Flask config mapping from the process environment."""
    return {
        "DATABASE_URL": os.environ.get("GISGRID_DATABASE_URL", DEFAULT_DATABASE_URL),
        # the deployment profile: a name under deployments/ (xicheng, hulin, panjin, zhanqian, gaochang) or a .toml path
        "DEPLOYMENT": os.environ.get("GISGRID_DEPLOYMENT", "") or "xicheng",
        # "production" turns on the start-up checks of gisgrid/security/startup.py; anything else is development
        "ENV": os.environ.get("GISGRID_ENV", "development").strip().lower(),
        "SECRET_KEY": os.environ.get("GISGRID_SECRET_KEY", DEFAULT_SECRET_KEY),
        "NEAR_BOUNDARY_M": _env_float("GISGRID_NEAR_BOUNDARY_M", 30.0),
        "MAX_NEAR_BOUNDARY_M": _env_float("GISGRID_MAX_NEAR_BOUNDARY_M", 1000.0),
        "TOPOLOGY_TOLERANCE_M2": _env_float("GISGRID_TOPOLOGY_TOLERANCE_M2", 1.0),
        "BATCH_MAX_BYTES": int(os.environ.get("GISGRID_BATCH_MAX_BYTES", str(200 * 1024 * 1024))),
        "DB_POOL_SIZE": _pool_size(),
        # the State Council's holiday notice of years chinesecalendar does not know yet (incidents/deadlines.py)
        "HOLIDAYS_FILE": os.environ.get("GISGRID_HOLIDAYS_FILE", ""),
        # hot standbys for anonymous public reads (comma-separated URLs; gisgrid/replicas.py); a failed one is
        # skipped for REPLICA_RETRY_S seconds
        "DATABASE_REPLICA_URLS": os.environ.get("GISGRID_DATABASE_REPLICA_URLS", ""),
        "REPLICA_RETRY_S": _env_float("GISGRID_REPLICA_RETRY_S", 5.0),
        "MEDIA_DIR": os.environ.get("GISGRID_MEDIA_DIR", "var/media"),
        # public map base layer (optional): an XYZ tile URL on the intranet; gcj02 shifts the overlays
        "TILE_URL": os.environ.get("GISGRID_TILE_URL", ""),
        "TILE_CRS": os.environ.get("GISGRID_TILE_CRS", "wgs84").lower(),
        "TILE_ATTRIBUTION": os.environ.get("GISGRID_TILE_ATTRIBUTION", ""),
        # the tile cache a job fills after each publication (public_map/tile_fill.py): zooms 0..max, at most
        # so many tiles (deeper tiles are built on their first request and kept)
        "TILE_FILL_MAX_ZOOM": int(os.environ.get("GISGRID_TILE_FILL_MAX_ZOOM", "16")),
        "TILE_FILL_MAX_TILES": int(os.environ.get("GISGRID_TILE_FILL_MAX_TILES", "20000")),
        "PHOTO_MAX_BYTES": int(os.environ.get("GISGRID_PHOTO_MAX_BYTES", str(5 * 1024 * 1024))),
        # one uploaded import file (sources CSV/XLSX/GeoPackage, an edited draft GeoPackage)
        "IMPORT_MAX_BYTES": int(os.environ.get("GISGRID_IMPORT_MAX_BYTES", str(200 * 1024 * 1024))),
        "OPEN311_JURISDICTION": os.environ.get("GISGRID_OPEN311_JURISDICTION", "xicheng.gisgrid.local"),
        "OPEN311_API_KEYS": os.environ.get("GISGRID_OPEN311_API_KEYS", ""),
        # files built once per boundary version (open-data downloads), safe to delete at any time
        "CACHE_DIR": os.environ.get("GISGRID_CACHE_DIR", "var/cache"),
        # rate limits (Flask-Limiter strings); memory:// counts per process, several workers need redis://
        "RATELIMIT_ENABLED": _env_bool("GISGRID_RATELIMIT_ENABLED", True),
        # rate limits in Redis when GISGRID_REDIS_URL is set (scripts/dev run sets it): every worker and server
        # counts against one limit; without it (or GISGRID_RATELIMIT_STORAGE_URI) each process counts alone
        "RATELIMIT_STORAGE_URI": os.environ.get("GISGRID_RATELIMIT_STORAGE_URI")
        or os.environ.get("GISGRID_REDIS_URL")
        or "memory://",
        "RATELIMIT_KEY_PREFIX": os.environ.get("GISGRID_RATELIMIT_KEY_PREFIX", "gisgrid"),
        # Redis down: count in memory per process until it is back, rather than refuse or fail requests
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_REPORT": os.environ.get("GISGRID_RATELIMIT_REPORT", "10 per minute;100 per day"),
        "RATELIMIT_LOOKUP": os.environ.get("GISGRID_RATELIMIT_LOOKUP", "300 per minute"),
        "RATELIMIT_BATCH": os.environ.get("GISGRID_RATELIMIT_BATCH", "20 per minute"),
        "RATELIMIT_LOGIN": os.environ.get("GISGRID_RATELIMIT_LOGIN", "10 per minute;50 per hour"),
        # sessions: a signed cookie naming a server-side login row (gisgrid/auth/logins.py)
        "SESSION_COOKIE_NAME": "gisgrid_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # on by default would break plain-HTTP intranet installs; turn it on behind HTTPS
        "SESSION_COOKIE_SECURE": _env_bool("GISGRID_SESSION_COOKIE_SECURE", False),
        "SESSION_HOURS": _env_float("GISGRID_SESSION_HOURS", 12.0),
        # the audit trail's hash chain: sha256 (sealed by the database at commit) or sm3 (sealed by the
        # audit.seal job with gmssl); kept at least 180 days, pruned only by the audit.prune job
        "AUDIT_HASH": audit_hash(),
        "AUDIT_RETENTION_DAYS": max(180, int(os.environ.get("GISGRID_AUDIT_RETENTION_DAYS") or 180)),
        "TRUSTED_PROXIES": int(os.environ.get("GISGRID_TRUSTED_PROXIES", "0")),
        # who sets a source's A/B/C class: the seeds name the environment department (环境保护主管部门 /
        # 生态环境局), whose handlers always may; these roles may too (the deployment profile will say)
        "SOURCE_CLASS_DEPARTMENTS": _env_list("GISGRID_SOURCE_CLASS_DEPARTMENTS", "sthj"),
        "SOURCE_CLASS_ROLES": _env_list("GISGRID_SOURCE_CLASS_ROLES", "dispatcher,grid_leader"),
        # tracked items (督办, decisions, rectifications): an overdue item escalates one grid level up the
        # tree each time a further deadline passes, one every STEP working days after the due date
        "TRACKING_ESCALATION_STEP_DAYS": int(os.environ.get("GISGRID_TRACKING_ESCALATION_STEP_DAYS", "5")),
        # default deadline per priority in working days (全程/迅速/定期督办) when the opener gives no date
        "TRACKING_DUE_DAYS": _env_list("GISGRID_TRACKING_DUE_DAYS", "full:15,rapid:3,regular:10"),
        # reporters' names and contacts of cases closed longer ago are anonymised (gisgrid/privacy/retention.py)
        "REPORTER_RETENTION_MONTHS": int(os.environ.get("GISGRID_REPORTER_RETENTION_MONTHS", "24")),
        **_jobs_and_notifications(),
        **_authentication(),
    }


def _jobs_and_notifications() -> dict:
    # background jobs (RQ on Redis) and the delivery of notifications (docs/notifications.md)
    env = os.environ.get
    return {
        # empty: the worker uses jobs.queue.DEFAULT_REDIS_URL (the same key main's rate limits read)
        "REDIS_URL": env("GISGRID_REDIS_URL", ""),
        "JOBS_QUEUE": env("GISGRID_JOBS_QUEUE", "gisgrid"),
        # months of patrol tracks kept (whole month partitions older than this are dropped); 0 keeps all
        "PATROL_RETENTION_MONTHS": int(env("GISGRID_PATROL_RETENTION_MONTHS", "0")),
        # a background job's worker must renew its claim within this many seconds, or the job runs again elsewhere
        "JOBS_LEASE_SECONDS": _env_float("GISGRID_JOBS_LEASE_SECONDS", 60.0),
        "JOBS_TICK_SECONDS": _env_float("GISGRID_JOBS_TICK_SECONDS", 5.0),
        # links in e-mails and SMS point here (the server's public address)
        "PUBLIC_URL": env("GISGRID_PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/"),
        "SMTP_HOST": env("GISGRID_SMTP_HOST", ""),
        "SMTP_PORT": int(env("GISGRID_SMTP_PORT", "25")),
        "SMTP_USER": env("GISGRID_SMTP_USER", ""),
        "SMTP_PASSWORD": env("GISGRID_SMTP_PASSWORD", ""),
        "SMTP_TLS": env("GISGRID_SMTP_TLS", "none").lower(),  # none | starttls | ssl
        "SMTP_FROM": env("GISGRID_SMTP_FROM", "gisgrid@localhost"),
        "SMS_URL": env("GISGRID_SMS_URL", ""),
        "SMS_METHOD": env("GISGRID_SMS_METHOD", "POST").upper(),
        "SMS_HEADERS": env("GISGRID_SMS_HEADERS", '{"Content-Type": "application/json"}'),
        "SMS_BODY": env("GISGRID_SMS_BODY", SMS_BODY),
        "SMS_TEMPLATE_ID": env("GISGRID_SMS_TEMPLATE_ID", ""),
        "SMS_TEMPLATES": env("GISGRID_SMS_TEMPLATES", "{}"),  # JSON: event kind → the provider's template id
        "SMS_SUCCESS": env("GISGRID_SMS_SUCCESS", ""),  # "" = any 2xx; "code=0": also this JSON path = value
        "SEND_TIMEOUT_SECONDS": _env_float("GISGRID_SEND_TIMEOUT_SECONDS", 10.0),
        "NOTIFY_MAX_ATTEMPTS": int(env("GISGRID_NOTIFY_MAX_ATTEMPTS", "10")),
        "NOTIFY_BACKOFF_SECONDS": _env_float("GISGRID_NOTIFY_BACKOFF_SECONDS", 30.0),
        "NOTIFY_BACKOFF_MAX_SECONDS": _env_float("GISGRID_NOTIFY_BACKOFF_MAX_SECONDS", 3600.0),
        # a message left "sending" this long by a worker that died is sent again (same Message-ID)
        "NOTIFY_LEASE_SECONDS": _env_float("GISGRID_NOTIFY_LEASE_SECONDS", 300.0),
        "NOTIFY_CITIZEN_QUIET": env("GISGRID_NOTIFY_CITIZEN_QUIET", ""),  # e.g. "22:00-07:00" (China time)
        # a citizen may answer 没有解决 this many days after the case was closed
        "REOPEN_DAYS": int(env("GISGRID_REOPEN_DAYS", "7")),
    }


def _authentication() -> dict:
    # 等保2.0 身份鉴别 (docs/security.md): password policy, lockout, idle timeout, TOTP
    env = os.environ.get
    secret_is_default = env("GISGRID_SECRET_KEY", "dev-only-change-me") == "dev-only-change-me"
    return {
        "PASSWORD_MIN_LENGTH": int(env("GISGRID_PASSWORD_MIN_LENGTH", "8")),
        "PASSWORD_MAX_AGE_DAYS": int(env("GISGRID_PASSWORD_MAX_AGE_DAYS", "90")),  # 0: passwords never expire
        "PASSWORD_HISTORY": int(env("GISGRID_PASSWORD_HISTORY", "5")),  # a new password is none of the last N
        "LOCKOUT_THRESHOLD": int(env("GISGRID_LOCKOUT_THRESHOLD", "5")),  # failed logins in a row; 0: no lockout
        "LOCKOUT_MINUTES": _env_float("GISGRID_LOCKOUT_MINUTES", 30.0),
        "IDLE_MINUTES": _env_float("GISGRID_IDLE_MINUTES", 30.0),  # 0: no idle timeout
        "TOTP_REQUIRED_ROLES": _env_list("GISGRID_TOTP_REQUIRED_ROLES", ""),
        "TOTP_ISSUER": env("GISGRID_TOTP_ISSUER", "gisgrid"),
        # demo mode: the demo password is accepted as is; outside it, a login with it must change it first.
        # Unset, it follows the secret key: a development install (default key) is a demo
        "DEMO_MODE": _env_bool("GISGRID_DEMO_MODE", secret_is_default),
    }


# a JSON body for an SMS gateway (Jinja2; see docs): phone, template_id, params, text, message_id
SMS_BODY = (
    '{"phone": {{ phone|tojson }}, "template_id": {{ template_id|tojson }}, '
    '"params": {{ params|tojson }}, "out_id": {{ message_id|tojson }}}'
)
