"""The dashboard's users file: who may sign in, with which role, and whose book they see.

A TOML or YAML file with one table per user::

    [users.ana]
    role = "admin"                       # viewer (read), editor (plan, what-if), admin (import)
    password_hash = "$argon2id$v=19$..."  # `covermap serve hash-password` prints one
    user_id = "U001"                     # optional: the CRM user whose book Ana sees when the
                                         # plan sets dashboard.row_level
    token_sha256 = "9f86d0..."           # optional: an API token's SHA-256, for
                                         # `Authorization: Bearer TOKEN`
    territories = ["emea"]               # optional: the territories Ana sees (and those
                                         # below them) when dashboard.row_level is territory

Passwords are checked with argon2 (argon2-cffi); a file with a plain password in it is an
error that names the user.
"""

from __future__ import annotations

import hashlib
import hmac
import tomllib
from dataclasses import dataclass
from pathlib import Path

import yaml
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from covermap.errors import PlanError

ROLES = ("viewer", "editor", "admin")
_hasher = PasswordHasher()
#: compared against when the user name is unknown, so a wrong name takes as long as a
#: wrong password
_DUMMY = _hasher.hash("covermap: no such user")


@dataclass(frozen=True)
class User:
    name: str
    role: str
    password_hash: str | None = None
    user_id: str | None = None
    token_sha256: str | None = None
    territories: tuple[str, ...] = ()

    def can(self, role: str) -> bool:
        """Whether this user holds ``role`` or a higher one."""
        return ROLES.index(self.role) >= ROLES.index(role)


#: who uses a dashboard bound to the loopback address without a users file
LOCAL = User("local", "admin")


def hash_password(password: str) -> str:
    """The argon2id hash of ``password``, for a users file."""
    return _hasher.hash(password)


def load_users(path: Path) -> dict[str, User]:
    """The users of ``path`` (PlanError naming the file and user for each problem)."""
    try:
        text = path.read_text("utf-8")
    except OSError as e:
        raise PlanError(f"cannot read the users file: {e.strerror}", file=str(path)) from e
    try:
        data = tomllib.loads(text) if path.suffix.lower() == ".toml" else yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as e:
        raise PlanError(f"not a valid users file: {e}", file=str(path)) from e
    entries = (data or {}).get("users") if isinstance(data, dict) else None
    if not isinstance(entries, dict) or not entries:
        raise PlanError("a users file has a 'users' table with one entry per user, e.g. "
                        "[users.ana] role = \"viewer\" password_hash = \"$argon2id$...\"",
                        file=str(path))
    users = {}
    for name, e in entries.items():
        def bad(message: str, key: str, name: str = name) -> PlanError:
            return PlanError(message, file=str(path), key=f"users.{name}.{key}")

        if not isinstance(e, dict):
            raise bad("each user is a table of role, password_hash, user_id, token_sha256, "
                      "territories", "role")
        unknown = sorted(set(e) - {"role", "password_hash", "user_id", "token_sha256",
                                   "territories"})
        if unknown:
            raise bad("unknown key; keys are role, password_hash, user_id, token_sha256, "
                      "territories", unknown[0])
        places = e.get("territories", [])
        if not isinstance(places, list) or not all(isinstance(x, str) and x for x in places):
            raise bad('a list of territory ids, e.g. territories = ["emea"]', "territories")
        role = e.get("role")
        if role not in ROLES:
            raise bad(f"role {role!r} is not one of {', '.join(ROLES)}", "role")
        pw = e.get("password_hash")
        if pw is not None and not str(pw).startswith("$argon2"):
            raise bad("not an argon2 hash (never a plain password); make one with "
                      "`covermap serve hash-password`", "password_hash")
        token = e.get("token_sha256")
        if token is not None and (len(str(token)) != 64
                                  or any(c not in "0123456789abcdef" for c in str(token))):
            raise bad("not a SHA-256 in hex (64 characters 0-9a-f)", "token_sha256")
        if pw is None and token is None:
            raise bad("a user needs a password_hash or a token_sha256", "password_hash")
        users[str(name)] = User(str(name), role, pw, None if e.get("user_id") is None
                                else str(e["user_id"]), token, tuple(places))
    return users


def check_password(users: dict[str, User], name: str, password: str) -> User | None:
    """The user when ``password`` is theirs, else None (argon2 verify either way)."""
    user = users.get(name)
    try:
        _hasher.verify(user.password_hash if user and user.password_hash else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return None
    return user if user and user.password_hash else None


def check_token(users: dict[str, User], token: str) -> User | None:
    digest = hashlib.sha256(token.encode()).hexdigest()
    for u in users.values():
        if u.token_sha256 and hmac.compare_digest(u.token_sha256, digest):
            return u
    return None
