"""Encryption at rest of the personal fields (AES-256-GCM, authenticated).

What a family tells the bot (names, phones, addresses, identity numbers, the
account, notes, replies) is stored sealed; ids, dates, status codes and case
numbers stay readable so that search, deadlines and statistics work without
the key. A sealed value is ``enc1:<key id>:<base64 of nonce + ciphertext>``;
the key id lets a rotation re-seal rows one by one with a new key while the
old one still opens what is left.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "enc1:"


class KeyError_(ValueError):
    """A key that is not 32 bytes of URL-safe base64, or a value no known key opens."""


def new_key() -> str:
    """A fresh key, as the IZDEU_ENCRYPTION_KEY setting wants it."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def _parse(key: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(key.strip() + "=" * (-len(key.strip()) % 4))
    except (binascii.Error, ValueError) as exc:
        raise KeyError_("the encryption key is not base64") from exc
    if len(raw) != 32:
        raise KeyError_("the encryption key must be 32 bytes (44 base64 characters)")
    return raw


def key_id(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:8]


# Keyed ids fit in 53 bits: 16 decimal digits in callback data, exact in any JSON reader,
# and two of 100,000 families share one with a chance of about 1 in 2 million.
PSEUDONYM_BITS = 53


def _id_key(raw: bytes) -> bytes:
    """The key of the keyed Telegram ids, derived from the encryption key (HKDF): a
    separate key for a separate purpose, and nothing more to keep."""
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"izdeu telegram user ids v1"
    ).derive(raw)


def _name_key(raw: bytes | None) -> bytes:
    """The key of the name search's tokens (HKDF from the encryption key, its own
    purpose). A clear database, which holds the names in clear anyway, uses a fixed one."""
    if raw is None:
        return b"izdeu name index without a key"
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"izdeu name index v1"
    ).derive(raw)


# Tokens fit in a signed 64-bit SQLite integer.
NAME_TOKEN_BITS = 63


class Cipher:
    """Seals with the first key; opens with any of them. Without keys it passes text through."""

    def __init__(self, *keys: str) -> None:
        raws = [_parse(k) for k in keys if k]
        self._seal_with = (key_id(raws[0]), AESGCM(raws[0])) if raws else None
        self._open_with = {key_id(r): AESGCM(r) for r in raws}
        self._id_key = _id_key(raws[0]) if raws else None
        self._name_key = _name_key(raws[0] if raws else None)

    @property
    def enabled(self) -> bool:
        return self._seal_with is not None

    @property
    def key_id(self) -> str | None:
        """The id of the key that seals (the prefix of every value it seals); None in clear."""
        return self._seal_with[0] if self._seal_with else None

    def opens(self, kid: str) -> bool:
        return kid in self._open_with

    def pseudonym(self, telegram_id: int) -> int:
        """The form a Telegram user id is stored in: a keyed hash (HMAC-SHA256 with a key
        derived from the sealing key), so the database file alone does not say who used
        the bot, while the same person always finds their rows. Without a key, the id."""
        if self._id_key is None or telegram_id <= 0:
            return telegram_id  # 0 is the command line, negatives are anonymous markers
        mac = hmac.HMAC(self._id_key, hashes.SHA256())
        mac.update(str(telegram_id).encode())
        return int.from_bytes(mac.finalize()[:8], "big") >> (64 - PSEUDONYM_BITS) or 1

    def name_token(self, word: str) -> int:
        """The stored form of one word of a name in the search index (a blind index):
        HMAC-SHA256 of the word's skeleton with a key derived from the sealing key. The
        same word always gives the same token, so a search finds it, while the table of
        tokens alone does not say which words they stand for."""
        mac = hmac.HMAC(self._name_key, hashes.SHA256())
        mac.update(word.encode("utf-8"))
        return int.from_bytes(mac.finalize()[:8], "big") >> (64 - NAME_TOKEN_BITS)

    def seal(self, text: str) -> str:
        return self.seal_data(text.encode("utf-8")) if self.enabled else text

    def seal_data(self, data: bytes) -> str:
        """UTF-8 ``data`` sealed (as text, for a TEXT column); plain text without a key."""
        if self._seal_with is None:
            return data.decode("utf-8")
        kid, aead = self._seal_with
        nonce = os.urandom(12)
        sealed = aead.encrypt(nonce, data, kid.encode())
        return f"{PREFIX}{kid}:" + binascii.b2a_base64(nonce + sealed, newline=False).decode()

    def open(self, value: str) -> str:
        data = self.open_data(value)
        return data if isinstance(data, str) else data.decode("utf-8")

    def open_data(self, value: str) -> bytes | str:
        """The UTF-8 bytes a sealed value holds, or the value itself if it was never
        sealed: a JSON reader takes either, without decoding the text in between."""
        if not value.startswith(PREFIX):
            return value  # written before encryption was turned on
        try:
            kid, payload = value[len(PREFIX) :].split(":", 1)
            aead = self._open_with[kid]
            blob = binascii.a2b_base64(payload)
            return aead.decrypt(blob[:12], blob[12:], kid.encode())
        except KeyError as exc:
            raise KeyError_(
                "no configured key opens this value (wrong IZDEU_ENCRYPTION_KEY?)"
            ) from exc
        except (InvalidTag, ValueError, binascii.Error) as exc:
            raise KeyError_("a sealed value is damaged or was altered") from exc

    def seal_optional(self, text: str | None) -> str | None:
        return None if text is None else self.seal(text)

    def open_optional(self, value: str | None) -> str | None:
        return None if value is None else self.open(value)


PLAIN = Cipher()
