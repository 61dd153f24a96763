"""Settings from environment variables (documented in the README)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping


def _ids(value: str) -> frozenset[int]:
    return frozenset(int(x) for x in value.replace(",", " ").split() if x.strip().lstrip("-").isdigit())


@dataclass(frozen=True)
class Config:
    token: str | None = None
    db_path: Path = Path("data/izdeu.sqlite3")
    data_dir: Path = Path("data")
    api_base_url: str | None = None  # a self-hosted Bot API server, e.g. http://127.0.0.1:8081/bot
    api_file_url: str | None = None
    admin_ids: frozenset[int] = frozenset()
    webhook_url: str | None = None  # public URL; when set the bot runs a webhook instead of polling
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret: str | None = None
    sqlite_synchronous: str = "NORMAL"
    log_level: str = "INFO"
    # Kyrgyz answer term in working days (Law No. 67 says 14; a cut to 10 is pending).
    kg_answer_days: int | None = None
    invite_hours: int = 72  # how long an invitation link stays valid

    @property
    def offline(self) -> bool:
        return not self.token

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Config":
        env = os.environ if env is None else env
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
            kg_answer_days=int(env["IZDEU_KG_ANSWER_DAYS"]) if env.get("IZDEU_KG_ANSWER_DAYS") else None,
        )
