"""Password hashing (argon2id), the password policy, and generated passwords.

Passwords are stored only as argon2id hashes (argon2-cffi); the cost comes from [security] in config.toml.
"""

from __future__ import annotations

import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from supervision.access.throttle import hashing
from supervision.core.config import SecuritySettings

# Readable passwords: no 0/O, 1/l/I lookalikes.
_PASSWORD_ALPHABETS = ("abcdefghijkmnpqrstuvwxyz", "ABCDEFGHJKLMNPQRSTUVWXYZ", "23456789", "#%+=?@")


@lru_cache(maxsize=4)
def _hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)


def hasher(security: SecuritySettings) -> PasswordHasher:
    return _hasher(security.argon2_time_cost, security.argon2_memory_kib, security.argon2_parallelism)


def hash_password(password: str, security: SecuritySettings) -> str:
    with hashing():  # at most throttle.HASH_SLOTS argon2 hashes (64 MB each) at a time
        return hasher(security).hash(password)


def verify_password(stored: str | None, password: str, security: SecuritySettings) -> bool:
    if not stored:
        return False
    try:
        with hashing():
            return hasher(security).verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_problems(password: str, username: str, security: SecuritySettings) -> list[str]:
    """Why a new password is refused (empty when it meets the policy)."""
    problems: list[str] = []
    if len(password) < security.password_min_length:
        problems.append(f"密码至少{security.password_min_length}位")
    classes = sum((
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ))
    if classes < security.password_min_classes:
        problems.append(f"密码须包含小写字母、大写字母、数字、其他字符中的至少{security.password_min_classes}类")
    if username and username.lower() in password.lower():
        problems.append("密码不能包含用户名")
    if len(password) > 256:
        problems.append("密码不能超过256位")
    return problems


def generate_password(security: SecuritySettings, username: str = "") -> str:
    """A random password that meets the policy (for this user), with at least one character of every class."""
    length = max(16, security.password_min_length)
    pool = "".join(_PASSWORD_ALPHABETS[:3])
    while True:
        chars = [secrets.choice(alphabet) for alphabet in _PASSWORD_ALPHABETS]
        chars += [secrets.choice(pool) for _ in range(length - len(chars))]
        secrets.SystemRandom().shuffle(chars)
        password = "".join(chars)
        # A short user name can turn up by chance inside a random password, which the policy forbids.
        if not password_problems(password, username, security):
            return password


# Verified against when the user does not exist, so a wrong name costs as long as a wrong password.
_DUMMY_PASSWORD = "timing-equaliser-not-a-password"


@lru_cache(maxsize=4)
def _dummy_hash(time_cost: int, memory_kib: int, parallelism: int) -> str:
    with hashing():
        return _hasher(time_cost, memory_kib, parallelism).hash(_DUMMY_PASSWORD)


def verify_nobody(password: str, security: SecuritySettings) -> None:
    """Spend as long as a real password check, for a user name that does not exist."""
    verify_password(_dummy_hash(security.argon2_time_cost, security.argon2_memory_kib, security.argon2_parallelism),
                    password, security)
