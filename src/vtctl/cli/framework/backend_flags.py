"""The backend flags, given to Typer from their one declaration
(``config.settings.BackendOptions``), the backend a command runs against, and the
one check that no flag given is ignored by it (issue 19 rule 5)."""

import inspect
import typing
from typing import Annotated, Any

import typer
from typer.models import OptionInfo

from vtctl.backends.base import Backend
from vtctl.config.settings import (
    REACH_WORDS,
    Applies,
    BackendKind,
    BackendOptions,
    Flag,
    Reach,
    Settings,
    resolve_settings,
)
from vtctl.domain.errors import UsageError
from vtctl.util.record import Record

BACKEND_PANEL = "Backend"


def _declared_flags() -> dict[str, tuple[Any, Flag]]:
    hints = typing.get_type_hints(BackendOptions, include_extras=True)
    flags = {}
    for name in BackendOptions._fields:
        flag = next((m for m in getattr(hints[name], "__metadata__", ()) if isinstance(m, Flag)),
                    None)
        if flag is not None:
            flags[name] = (hints[name].__origin__, flag)
    return flags


#: each backend flag, in declaration order: its field of ``BackendOptions`` -> (the
#: field's type, its ``Flag``: the field's ``Annotated`` metadata)
BACKEND_FLAGS = _declared_flags()


def backend_option(name: str) -> Any:
    """The Typer option of the backend flag ``name`` (a field of ``BackendOptions``)."""
    flag = BACKEND_FLAGS[name][1]
    default = BackendOptions._defaults[name]
    extra: dict[str, Any] = {} if isinstance(default, bool) else {"show_default": False}
    if flag.metavar:
        extra["metavar"] = flag.metavar
    if flag.complete:
        extra["autocompletion"] = flag.complete
    help_text = flag.help.replace("[", "\\[")  # rich markup: the brackets are text
    return typer.Option(*flag.names, help=help_text, rich_help_panel=BACKEND_PANEL, **extra)


def backend_flag_parameters() -> list[inspect.Parameter]:
    """Every backend flag as a keyword-only parameter Typer reads, in declaration order
    (with its ``Applies``, read by :func:`check_flags_apply`)."""
    params = []
    for name, (kind, flag) in BACKEND_FLAGS.items():
        option = backend_option(name)
        annotation = (Annotated[kind, option] if flag.applies is None
                      else Annotated[kind, option, flag.applies])
        params.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY,
                                        default=BackendOptions._defaults[name],
                                        annotation=annotation))
    return params


#: what a command reaches on each backend; None: it does not run on that backend
Reached = tuple[Reach, ...] | None


class BackendUse(Record):
    """What a command reaches on each backend, and its flags that apply only somewhere
    (parameter name -> option name, ``Applies``); on ``with_backend_flags``' wrapper as
    ``backend_use`` (``tests/test_flags_apply.py`` walks the click tree with it)."""

    remote: Reached
    local: Reached
    flags: dict[str, tuple[str, Applies]]

    def reached(self, backend: BackendKind, demo: bool = False) -> Reached:
        """What a run on ``backend`` reaches; on the demo profile never Twilio (its
        credentials are fake: no request is sent to it, see ``LocalBackend``)."""
        found = self.remote if backend == "remote" else self.local
        if demo and found is not None:
            return tuple(reach for reach in found if reach != "twilio")
        return found


def flags_that_apply_somewhere(signature: inspect.Signature) -> dict[str, tuple[str, Applies]]:
    """The parameters whose ``Annotated`` declaration carries an ``Applies``."""
    found = {}
    for name, param in signature.parameters.items():
        metadata = getattr(param.annotation, "__metadata__", ())
        applies = next((m for m in metadata if isinstance(m, Applies)), None)
        option = next((m for m in metadata if isinstance(m, OptionInfo)), None)
        if applies is not None and option is not None:
            # in an Annotated declaration Typer keeps the first name in ``default``
            decls: tuple[Any, ...] = (option.default, *(option.param_decls or ()))
            names = [d for d in decls if isinstance(d, str) and d.startswith("--")]
            found[name] = (names[0], applies)
    return found


def check_flags_apply(command: str, use: BackendUse, settings: Settings,
                      given: dict[str, Any]) -> None:
    """A usage error (exit 2, one line: why and what to do) when the command does not run
    on the resolved backend, or a flag given would be ignored there."""
    backend = settings.backend
    reached = use.reached(backend, demo=settings.is_demo)
    # what a run would reach on another profile (the demo's fake credentials aside)
    reachable = set(use.reached(backend) or ())
    if reached is None:
        other = "local" if backend == "remote" else "remote"
        fix = "add --local" if other == "local" else _undo_local(settings.backend_source)
        raise UsageError(f"`{command}` runs on the {other} backend only, not the {backend} one "
                         f"({_chosen_by(settings.backend_source)}); {fix}")
    for name, (option, applies) in use.flags.items():
        value = given.get(name)
        if value is None or value is False or set(applies.reaches) & set(reached):
            continue
        if set(applies.reaches) & reachable:  # but for the demo
            raise UsageError(f"{option}: the demo profile sends no request (its Twilio "
                             f"credentials are fake, so `{command}` does not ask Twilio); "
                             f"leave out {option}, or use another profile (--profile NAME)")
        what = " or ".join(REACH_WORDS[r] for r in applies.reaches)
        note = f"; {applies.note}" if applies.note else ""
        if backend == "remote" and "engine" in applies.reaches:
            fix = "add --local"
        elif backend == "local" and use.remote is not None and "engine" not in applies.reaches:
            fix = f"leave out {option}, or {_undo_local(settings.backend_source)}"
        else:
            fix = f"leave out {option}"
        raise UsageError(f"{option} is for {what}, which `{command}` does not reach on the "
                         f"{backend} backend ({_chosen_by(settings.backend_source)}){note}; "
                         f"{fix}")


def _chosen_by(source: str) -> str:
    return source if source == "the default" else f"set by {source}"


def _undo_local(source: str) -> str:
    if source == "--local":
        return "drop --local"
    if source.startswith("VTCTL_BACKEND="):
        return "unset VTCTL_BACKEND"
    return "choose a remote profile with --profile NAME"


def settings_from(**given: Any) -> Settings:
    """The settings for the backend flags ``given`` (flag > env > profile > default)."""
    return resolve_settings(BackendOptions(**given))


class BackendChoice:
    """The backend a command runs against, opened only when it is needed."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def open(self) -> Backend:
        from vtctl.backends import open_backend

        return open_backend(self.settings)
