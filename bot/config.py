"""Settings from environment variables (documented in the README)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


class ConfigError(ValueError):
    """A setting that cannot work; the bot says which and does not start."""


def _ids(value: str) -> frozenset[int]:
    return frozenset(
        int(x) for x in value.replace(",", " ").split() if x.strip().lstrip("-").isdigit()
    )


def _not_negative(value: str) -> float:
    number = float(value)
    if number < 0 or number != number:
        raise ValueError(f"{value} is not a number of 0 or more")
    return number


EXPORT_PRIORITIES = ("idle", "low")


def _choice(env: Mapping[str, str], name: str, allowed: tuple[str, ...]) -> str:
    """The setting ``name``, one of ``allowed`` (the first when unset)."""
    value = env.get(name, allowed[0]).strip().lower()
    if value not in allowed:
        raise ValueError(f"{name}: {value!r} is not one of {', '.join(allowed)}")
    return value


@dataclass(frozen=True)
class Config:
    token: str | None = None
    db_path: Path = Path("data/izdeu.sqlite3")
    data_dir: Path = Path("data")
    api_base_url: str | None = None  # a self-hosted Bot API server, e.g. http://127.0.0.1:8081/bot
    api_file_url: str | None = None
    admin_ids: frozenset[int] = frozenset()
    webhook_url: str | None = (
        None  # public URL; when set the bot runs a webhook instead of polling
    )
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret: str | None = None
    sqlite_synchronous: str = "NORMAL"
    log_level: str = "INFO"
    # Kyrgyz answer term in working days (Law No. 67 says 14; a cut to 10 is pending).
    kg_answer_days: int | None = None
    invite_hours: int = 72  # how long an invitation link stays valid
    encryption_key: str | None = None  # seals personal fields (bot.storage.crypto)
    old_encryption_keys: tuple[str, ...] = ()  # still accepted for reading (key rotation)
    allow_unencrypted: bool = False  # run for real without a key, knowingly
    retention_days: int = 365  # closed cases lose their personal data after this
    # Who submits cases to the UN on families' behalf (name; postal address and e-mail).
    organisation_name: str = ""
    organisation_contact: str = ""
    backup_dir: Path | None = None  # scheduled backups; None: <data_dir>/backups
    backup_hours: float = 24  # between scheduled backups; 0: none
    backup_keep: int = 7  # scheduled backups kept, the newest
    error_report_minutes: float = 5  # errors reach the administrators at most this often
    # The organisation agrees that letters after a form reply say (anonymously) in how many
    # other cases the body sent the same text. Off unless IZDEU_CITE_FORM_COPIES=1.
    cite_form_copies: bool = False
    # Letters wait for a caseworker's approval before the family gets them (IZDEU_LETTER_REVIEW).
    letter_review: bool = False
    # The caseworkers' desk in a browser (handlers.web): where it listens, and the address
    # people open behind a TLS reverse proxy (login links use it; https makes cookies Secure).
    web_listen: str = "127.0.0.1"
    web_port: int = 8080
    web_public_url: str | None = None
    # How an export's process steps aside (bot.exports.process): "idle" runs it on CPU time
    # nothing else wants, on one CPU; "low" at a lower priority on any CPU, for a machine
    # that other work keeps busy, where an idle-scheduled export could wait indefinitely.
    export_priority: str = "idle"

    @property
    def web_url(self) -> str:
        """The desk's address as people open it (login links start with it)."""
        if self.web_public_url:
            return self.web_public_url.rstrip("/")
        return f"http://{self.web_listen}:{self.web_port}"

    @property
    def backups(self) -> Path:
        return self.backup_dir or self.data_dir / "backups"

    # The organisation's time zone: staff see times in it unless they chose their own.
    timezone: str = "Asia/Almaty"

    @property
    def offline(self) -> bool:
        return not self.token

    def check_for_online(self) -> None:
        """Refuse to run for real in a way that would expose families' data."""
        if not self.encryption_key and not self.allow_unencrypted:
            raise ConfigError(
                "IZDEU_ENCRYPTION_KEY is not set: personal data would be stored unencrypted. "
                "Create a key with `python -m bot new-key`, or set IZDEU_ALLOW_UNENCRYPTED=1 "
                "to run without one knowingly."
            )
        if self.webhook_secret is not None and not all(
            c.isascii() and (c.isalnum() or c in "_-") for c in self.webhook_secret
        ):
            raise ConfigError("IZDEU_WEBHOOK_SECRET may contain only A-Z, a-z, 0-9, _ and -")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Config:
        env = os.environ if env is None else env
        try:
            return cls._from_env(env)
        except ValueError as exc:
            raise ConfigError(f"a setting is not valid: {exc}") from exc

    @classmethod
    def _from_env(cls, env: Mapping[str, str]) -> Config:
        data_dir = Path(env.get("IZDEU_DATA_DIR", "data"))
        return cls(
            token=env.get("TELEGRAM_BOT_TOKEN") or None,
            db_path=Path(env.get("IZDEU_DB_PATH", str(data_dir / "izdeu.sqlite3"))),
            data_dir=data_dir,
            api_base_url=env.get("TELEGRAM_API_BASE_URL") or None,
            api_file_url=env.get("TELEGRAM_API_FILE_URL") or None,
            admin_ids=_ids(env.get("IZDEU_ADMIN_IDS", "")),
            webhook_url=env.get("IZDEU_WEBHOOK_URL") or None,
            webhook_listen=env.get("IZDEU_WEBHOOK_LISTEN", "127.0.0.1"),
            webhook_port=int(env.get("IZDEU_WEBHOOK_PORT", "8443")),
            webhook_secret=env.get("IZDEU_WEBHOOK_SECRET") or None,
            sqlite_synchronous=env.get("IZDEU_SQLITE_SYNCHRONOUS", "NORMAL").upper(),
            log_level=env.get("IZDEU_LOG_LEVEL", "INFO").upper(),
            invite_hours=int(env.get("IZDEU_INVITE_HOURS", "72")),
            encryption_key=env.get("IZDEU_ENCRYPTION_KEY") or None,
            old_encryption_keys=tuple(
                k for k in env.get("IZDEU_OLD_ENCRYPTION_KEYS", "").split(",") if k.strip()
            ),
            allow_unencrypted=env.get("IZDEU_ALLOW_UNENCRYPTED", "") in ("1", "true", "yes"),
            retention_days=int(env.get("IZDEU_RETENTION_DAYS", "365")),
            backup_dir=Path(env["IZDEU_BACKUP_DIR"]) if env.get("IZDEU_BACKUP_DIR") else None,
            backup_hours=_not_negative(env.get("IZDEU_BACKUP_HOURS", "24")),
            backup_keep=max(1, int(env.get("IZDEU_BACKUP_KEEP", "7"))),
            error_report_minutes=_not_negative(env.get("IZDEU_ERROR_REPORT_MINUTES", "5")),
            timezone=_zone(env.get("IZDEU_TIMEZONE", "Asia/Almaty")),
            kg_answer_days=int(env["IZDEU_KG_ANSWER_DAYS"])
            if env.get("IZDEU_KG_ANSWER_DAYS")
            else None,
            organisation_name=env.get("IZDEU_ORGANISATION_NAME", "").strip(),
            organisation_contact=env.get("IZDEU_ORGANISATION_CONTACT", "").strip(),
            cite_form_copies=env.get("IZDEU_CITE_FORM_COPIES", "") in ("1", "true", "yes"),
            letter_review=env.get("IZDEU_LETTER_REVIEW", "").lower() in ("1", "on", "true", "yes"),
            web_listen=env.get("IZDEU_WEB_LISTEN", "127.0.0.1"),
            web_port=int(env.get("IZDEU_WEB_PORT", "8080")),
            web_public_url=env.get("IZDEU_WEB_PUBLIC_URL") or None,
            export_priority=_choice(env, "IZDEU_EXPORT_PRIORITY", EXPORT_PRIORITIES),
        )


def _zone(name: str) -> str:
    """An IANA time zone name, checked now rather than at the first time shown."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"IZDEU_TIMEZONE: unknown time zone {name!r}") from exc
    return name
