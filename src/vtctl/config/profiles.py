"""The TOML config file: named profiles, read with the stdlib, written atomically.

Precedence for every setting is flag > environment > profile > default;
``vtctl.config.settings`` applies it.  The file never holds a secret.
"""

from pathlib import Path
from typing import Any

from vtctl.config.paths import config_path
from vtctl.domain.errors import ConfigError
from vtctl.util.record import Record

DEFAULT_PROFILE = "default"
#: A built-in profile: local backend, the demo store and demo Twilio credentials.
DEMO_PROFILE = "demo"
#: a profiles file is a few hundred bytes; anything larger is not one
MAX_CONFIG_BYTES = 1024 * 1024


class Profile(Record):
    """One ``[profiles.NAME]`` table: settings only, never a secret."""

    name: str
    base_url: str | None = None
    backend: str | None = None  # "remote" | "local"
    store: str | None = None
    as_user: str | None = None
    token_path: str | None = None  # SimpleJWT-style login endpoint
    refresh_path: str | None = None

    @classmethod
    def setting_names(cls) -> tuple[str, ...]:
        return tuple(name for name in cls._fields if name != "name")

    def settings(self) -> dict[str, str]:
        return {
            name: value
            for name in self.setting_names()
            if (value := getattr(self, name)) is not None
        }


class Config(Record):
    """The config file as read (an absent file is an empty one)."""

    path: Path
    profiles: dict[str, Profile]
    default_profile: str | None = None

    def profile(self, name: str) -> Profile:
        return self.profiles.get(name) or Profile(name=name)

    def with_profile(self, profile: Profile) -> "Config":
        return self._replace(profiles={**self.profiles, profile.name: profile})


def validate_profile_name(name: str) -> str:
    stripped = name.strip()
    if not stripped or stripped != name or any(c in name for c in "/\\:\n\t"):
        raise ConfigError(
            f"invalid profile name {name!r}",
            hint="use letters, digits, '-', '_' or '.', e.g. --profile staging",
        )
    return name


def load_config(path: Path | None = None) -> Config:
    path = path or config_path()
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)  # VTCTL_CONFIG=/dev/zero ends too
    except FileNotFoundError:
        return Config(path=path, profiles={})
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from exc
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"config file {path} is larger than {MAX_CONFIG_BYTES // 1024} KiB",
                          hint="point VTCTL_CONFIG at a vtctl TOML config file")
    import tomllib  # only when there is a file to read

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
    return _parse_config(path, data)


def _parse_config(path: Path, data: dict[str, Any]) -> Config:
    default = data.get("default_profile")
    if default is not None and not isinstance(default, str):
        raise ConfigError(f"{path}: default_profile must be a string")
    if default is not None:
        _check_name(path, "default_profile", default)
    profiles: dict[str, Profile] = {}
    section = data.get("profiles", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [profiles] must be a table")
    allowed = set(Profile.setting_names())
    for name, values in section.items():
        _check_name(path, f"[profiles.{name}]", name)
        if not isinstance(values, dict):
            raise ConfigError(f"{path}: [profiles.{name}] must be a table")
        unknown = sorted(set(values) - allowed)
        if unknown:
            raise ConfigError(
                f"{path}: [profiles.{name}] has unknown setting(s): {', '.join(unknown)}",
                hint=f"known settings: {', '.join(sorted(allowed))}",
            )
        for key, value in values.items():
            if not isinstance(value, str):
                raise ConfigError(f"{path}: [profiles.{name}].{key} must be a string")
        profiles[name] = Profile(name=name, **values)
    return Config(path=path, default_profile=default, profiles=profiles)


def _check_name(path: Path, where: str, name: str) -> None:
    try:
        validate_profile_name(name)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {where}: {exc.message}", hint=exc.hint) from exc


def config_to_toml(config: Config) -> bytes:
    """The TOML text of ``config``: ``default_profile`` then ``[profiles.NAME]`` tables."""
    import tomli_w

    data: dict[str, Any] = {}
    if config.default_profile is not None:
        data["default_profile"] = config.default_profile
    profiles = {
        name: profile.settings()
        for name, profile in sorted(config.profiles.items())
    }
    if profiles:
        data["profiles"] = profiles
    return tomli_w.dumps(data).encode("utf-8")


def save_config(config: Config) -> Path:
    """Write ``config`` atomically to ``config.path``: file 0600 in a 0700 directory.

    The file is only ever written from ``Profile`` settings, which hold no secrets.
    """
    from vtctl.util.fsutil import atomic_write_bytes

    data = config_to_toml(config)
    try:
        atomic_write_bytes(config.path, data)
    except OSError as exc:
        raise ConfigError(
            f"cannot write config file {config.path}: {exc.strerror or exc}",
            hint="check the permissions of the directory, or point VTCTL_CONFIG elsewhere",
        ) from exc
    return config.path


def known_profiles(config: Config) -> list[str]:
    """The profiles the config file defines, plus the two built in."""
    return sorted(set(config.profiles) | {DEFAULT_PROFILE, DEMO_PROFILE})


def complete_profile(incomplete: str) -> list[str]:
    """Profile names for Tab (``--profile``, ``config use``): the config file's and the
    built-in ones.  No Typer, no keyring: it runs on the fast completion path."""
    try:
        names = known_profiles(load_config())
    except Exception:  # a broken config file: no names rather than a traceback on Tab
        return []
    return [name for name in names if name.startswith(incomplete)]


def require_profile(config: Config, name: str) -> str:
    """``name`` if such a profile exists, else a usage error listing those that do.

    A profile exists in the config file, built in, or (logins of older vtctl
    versions) only as a keyring entry; the keyring is asked only for a name the
    file does not know, so the usual path never imports it.
    """
    if name in config.profiles or name in (DEFAULT_PROFILE, DEMO_PROFILE, config.default_profile):
        return name
    from vtctl.config.secrets_store import get_secret
    from vtctl.domain.errors import KeyringUnavailableError

    try:
        if get_secret(name, "jwt") or get_secret(name, "twilio"):
            return name
    except KeyringUnavailableError:
        pass
    raise ConfigError(
        f"no profile {name!r}; profiles: {', '.join(known_profiles(config))}",
        hint=f"create it with `vtctl auth login --profile {name}` or "
        f"`vtctl config set KEY VALUE --profile {name}`",
    )
