"""Keyed pseudonyms for direct identifiers, and detection of undeclared ones.

Direct identifiers (names, phone numbers, ID-card numbers, Alipay accounts …)
never reach the warehouse in clear.  Each value is replaced by
``"p_" + HMAC-SHA256(key, normalised value)[:20]`` (hex).  The same person gets
the same pseudonym in every wave loaded with the same key, so waves can still be
linked, but without the key a pseudonym cannot be reversed or recomputed from a
guessed phone number.

The key comes, in this order, from the environment variable
``FLEXEMP_PSEUDONYM_KEY`` (at least 16 characters), from the file named by
``FLEXEMP_PSEUDONYM_KEY_FILE``, or from ``$FLEXEMP_HOME/pseudonym.key``.  Keep
the key outside the warehouse: whoever has both can test guesses.
``flexemp key init`` writes a fresh random key file (mode 0600).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

import numpy as np
import pandas as pd

from flexemp.core.errors import PseudonymKeyError

KEY_ENV = "FLEXEMP_PSEUDONYM_KEY"
KEY_FILE_ENV = "FLEXEMP_PSEUDONYM_KEY_FILE"
KEY_FILE_NAME = "pseudonym.key"
MIN_KEY_LENGTH = 16

#: Mainland mobile numbers: 11 digits starting 13-19 (optionally +86 / 86).
PHONE_RE = r"(?:\+?86[- ]?)?1[3-9]\d{9}"
#: Mainland resident ID-card numbers: 17 digits and a digit or X.
ID_CARD_RE = r"\d{17}[\dXx]"
_WS = re.compile(r"[\s\-]+")


def flexemp_home() -> Path:
    """The folder for flexemp's own files (``$FLEXEMP_HOME`` or the user data folder)."""
    env = os.environ.get("FLEXEMP_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("flexemp", appauthor=False))


def default_key_file() -> Path:
    """``$FLEXEMP_HOME/pseudonym.key``."""
    return flexemp_home() / KEY_FILE_NAME


def resolve_key(explicit: bytes | str | None = None) -> bytes | None:
    """Return the pseudonymisation key, or ``None`` when none is configured.

    Parameters
    ----------
    explicit : bytes or str, optional
        A key given directly (tests, scripts); wins over the environment.

    Raises
    ------
    PseudonymKeyError
        When a configured key is too short or its file is unreadable.
    """
    if explicit is not None:
        key = explicit.encode("utf-8") if isinstance(explicit, str) else explicit
        source = "the key given"
    elif os.environ.get(KEY_ENV):
        key = os.environ[KEY_ENV].encode("utf-8")
        source = f"${KEY_ENV}"
    else:
        path = Path(os.environ[KEY_FILE_ENV]).expanduser() if os.environ.get(KEY_FILE_ENV) else default_key_file()
        if not path.exists():
            if os.environ.get(KEY_FILE_ENV):
                raise PseudonymKeyError(f"${KEY_FILE_ENV} names {path}, which does not exist")
            return None
        try:
            key = path.read_bytes().strip()
        except OSError as exc:
            raise PseudonymKeyError(f"cannot read the pseudonym key file {path}: {exc}") from exc
        source = str(path)
    if len(key) < MIN_KEY_LENGTH:
        raise PseudonymKeyError(
            f"the pseudonym key from {source} is {len(key)} bytes; use at least {MIN_KEY_LENGTH} "
            "(run `flexemp key init` to create a random one)"
        )
    return key


def create_key_file(path: Path | None = None, *, overwrite: bool = False) -> Path:
    """Write a new random key (64 hex characters) to ``path`` with mode 0600.

    Raises
    ------
    PseudonymKeyError
        If the file exists and ``overwrite`` is false (a new key would break the
        link between pseudonyms of earlier and later waves).
    """
    path = Path(path) if path is not None else default_key_file()
    if path.exists() and not overwrite:
        raise PseudonymKeyError(
            f"{path} exists; a new key would give every respondent a new pseudonym. "
            "Pass overwrite=True (--force) only if that is what you want."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_hex(32) + "\n")
    return path


def normalise_identifier(values: pd.Series) -> pd.Series:
    """Strip white space and dashes and upper-case (so '138 1234-5678' = '13812345678')."""
    text = values.astype("string")
    return text.str.replace(_WS, "", regex=True).str.upper()


def pseudonymise(values: pd.Series, key: bytes) -> pd.Series:
    """Replace each identifier by its keyed pseudonym; missing stays missing.

    Parameters
    ----------
    values : pandas.Series
        The identifiers (any dtype; compared after :func:`normalise_identifier`).
    key : bytes
        The secret key.

    Returns
    -------
    pandas.Series
        Pseudonyms ``p_<20 hex digits>`` (string dtype), same index.

    Notes
    -----
    HMAC-SHA256 has no vectorised form; it is computed once per distinct value
    (``pandas.factorize``), so a file with repeated identifiers costs only its
    distinct values.
    """
    norm = normalise_identifier(values)
    codes, uniques = pd.factorize(norm, use_na_sentinel=True)
    digests = np.array(
        ["p_" + hmac.new(key, str(u).encode("utf-8"), hashlib.sha256).hexdigest()[:20] for u in uniques],
        dtype=object,
    )
    out = np.full(len(values), None, dtype=object)
    has = codes >= 0
    out[has] = digests[codes[has]]
    return pd.Series(out, index=values.index, dtype="string")


def raw_file_key(key: bytes) -> bytes:
    """The Fernet key used to encrypt stored raw files, derived from ``key``."""
    derived = hmac.new(key, b"flexemp raw-file encryption v1", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(derived)


def looks_like_identifier(values: pd.Series) -> tuple[str | None, np.ndarray]:
    """Detect mainland phone or ID-card numbers.

    Returns
    -------
    kind, mask
        ``"phone"``, ``"id_card"`` or ``None``, and the boolean mask of matching rows.
    """
    if pd.api.types.is_float_dtype(values):
        finite = values.where(np.isfinite(values.to_numpy(dtype=float, na_value=np.nan)))
        whole = finite.where(finite == np.floor(finite))
        text = whole.astype("Int64").astype("string")
    else:
        text = values.astype("string").str.strip()
    for kind, pattern in (("phone", PHONE_RE), ("id_card", ID_CARD_RE)):
        mask = text.str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)
        if mask.any():
            return kind, mask
    return None, np.zeros(len(values), dtype=bool)


def mask_value(value: object) -> str:
    """Show an identifier with its middle hidden, e.g. 138****5678."""
    text = str(value)
    if len(text) <= 4:
        return "*" * len(text)
    keep = max(1, len(text) // 4)
    return text[:keep] + "*" * (len(text) - 2 * keep) + text[-keep:]
