"""The one exception tree of vtctl, grouped by cause, and the exit codes.

``EXIT_CODES`` is the one table of exit codes and their meanings: the root
help's epilog, ``vtctl help exit-codes`` and the man pages are generated from
it, and a test checks the README's table against it. Each class carries its
exit code and the HTTP status ``vtctl serve`` answers it with; the CLI turns any
``VtctlError`` into one stderr line and that code in a single place
(``vtctl.cli.framework.runtime.report_failure``, called by ``app.run``).
Lower layers (httpx, sqlite3, keyring, twilio) translate their own exceptions
into these at their boundary, so nothing above them needs to know which
library failed.
"""

from enum import IntEnum
from typing import TYPE_CHECKING, ClassVar

from vtctl.util.record import Record

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Self

    from vtctl.domain.commands import Suggestion


class ExitCode(IntEnum):
    OK = 0
    UNEXPECTED = 1
    USAGE = 2
    NOT_AUTHENTICATED = 3
    PERMISSION_DENIED = 4
    NOT_FOUND = 5
    SERVER_ERROR = 6
    NETWORK_ERROR = 7
    SMOKE_FAILED = 8
    AUDIT_FAILED = 9


class ExitMeaning(Record):
    """One exit code's meaning, for the help, the README and the man pages."""

    #: a few words, for the root help's one-line summary
    short: str
    #: the full meaning, for `vtctl help exit-codes`, the man pages and the README
    meaning: str


#: Every exit code and what it means, in order (CONTRACT.md's table, with vtctl's details).
EXIT_CODES: dict[ExitCode, ExitMeaning] = {
    ExitCode.OK: ExitMeaning(
        "ok", "success (also when a reader of the output, such as `head -1`, leaves early); "
        "for a verdict (`diagnose`, `smoke`, `sessions`): every check ran (for `sessions`: "
        "no row is `unknown`) and none found a problem"),
    ExitCode.UNEXPECTED: ExitMeaning("unexpected", "unexpected error"),
    ExitCode.USAGE: ExitMeaning(
        "usage", "usage error (bad flag or argument, a flag that does not apply to the "
        "backend in use, a bad input file, or a file that is not a vtctl store)"),
    ExitCode.NOT_AUTHENTICATED: ExitMeaning(
        "not authenticated", "not authenticated (no JWT, HTTP 401, missing Twilio credentials)"),
    ExitCode.PERMISSION_DENIED: ExitMeaning("permission denied", "permission denied (HTTP 403)"),
    ExitCode.NOT_FOUND: ExitMeaning(
        "not found", "not found (HTTP 404: appointment, room or user)"),
    ExitCode.SERVER_ERROR: ExitMeaning(
        "server error", "server error (HTTP 5xx, token generation failed, malformed response, "
        "a damaged store)"),
    ExitCode.NETWORK_ERROR: ExitMeaning("network", "network error or timeout"),
    ExitCode.SMOKE_FAILED: ExitMeaning(
        "a smoke/diagnose check failed or a sessions --alert rule matched",
        "a `smoke` or `diagnose` check failed, or a `sessions --alert` rule matched (checks "
        "ran and at least one failed; a check that could not run because of a fault gives "
        "that fault's code, 3, 6 or 7, after the findings, unless another check failed)"),
    ExitCode.AUDIT_FAILED: ExitMeaning(
        "audit trail broken", "the audit trail failed verification (`vtctl audit verify`, "
        "`audit head`, `audit list`, which still lists the records, and `history`, which "
        "still tells the story; minting a token locally, when the trail's anchor or newest "
        "record is not the one vtctl wrote)"),
}


class VtctlError(Exception):
    """Base of every error vtctl reports to the user."""

    exit_code: ExitCode = ExitCode.UNEXPECTED
    #: the HTTP status ``vtctl serve`` answers this error with
    http_status: ClassVar[int] = 500
    #: the API guide's error body (``{"error": ...}``) for it, word for word, if it has one;
    #: the message when none is given
    guide_text: ClassVar[str | None] = None

    def __init__(self, message: str | None = None, *, hint: str | None = None,
                 suggests: "Suggestion | None" = None) -> None:
        if message is None:
            if self.guide_text is None:
                raise TypeError(f"{type(self).__name__} needs a message")
            message = self.guide_text
        if hint is not None and suggests is not None:
            raise TypeError("give hint= or suggests= (whose hint it is), not both")
        super().__init__(message)
        self.message = message
        #: a hint that names a command to run: its words, completed by ``for_backend``
        self.suggests = suggests
        self._hint = suggests.hint() if suggests is not None else hint

    @property
    def hint(self) -> str | None:
        return self._hint

    @hint.setter
    def hint(self, text: str | None) -> None:
        """A hint set later is the hint: ``for_backend`` no longer rewrites it."""
        self._hint = text
        self.suggests = None

    def suggest(self, suggestion: "Suggestion") -> None:
        """Make ``suggestion`` the hint (a lower layer adds what the raiser did not know)."""
        self.suggests = suggestion
        self._hint = suggestion.hint()

    def advised_as(self, other: "VtctlError") -> "Self":
        """This error with ``other``'s hint, and its suggestion (a wrapper keeps both, so
        the command it names still gets the run's backend flags)."""
        self._hint, self.suggests = other.hint, other.suggests
        return self

    def for_backend(self, flags: "Sequence[str]") -> None:
        """The hint's command with the backend flags of the run (``--local``, ``--store
        PATH``...), so pasted it reaches the same data (``with_backend_flags`` calls it)."""
        if self.suggests is not None:
            self._hint = self.suggests.hint(flags)

    def __str__(self) -> str:
        return self.message


class DeclinedError(VtctlError):
    """The user answered no when asked to confirm; nothing was changed (gh's cancel: 2)."""

    exit_code = ExitCode.USAGE


# --- usage: the user asked for something malformed (exit 2) ---------------


class UsageError(VtctlError):
    """A flag, argument, file or setting given by the user is invalid."""

    exit_code = ExitCode.USAGE


class NotConfirmedError(UsageError):
    """A command that changes a live call ran without --yes where it cannot ask."""


class ImportFileError(UsageError):
    """An appointment import file is malformed; nothing was imported."""


class ConfigError(UsageError):
    """The config file or a profile setting is invalid."""


class TokenFormatError(UsageError):
    """A string given as a JWT is not a well-formed token."""


class NoUserGivenError(UsageError):
    """The local engine was not told which participant to mint for; ``choices`` names them
    (the caller says how to give one: the CLI's ``--as``)."""

    def __init__(self, message: str, *, choices: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.choices = choices


# --- authentication (exit 3) -----------------------------------------------


class AuthenticationError(VtctlError):
    """No usable credentials: no JWT, an expired one, HTTP 401."""

    exit_code = ExitCode.NOT_AUTHENTICATED


class MissingCredentialsError(AuthenticationError):
    """Twilio credentials for the local engine are not configured."""

    @classmethod
    def demo(cls, reason: str) -> "MissingCredentialsError":
        """The demo profile's credentials are fake, so Twilio was not asked: what needed it
        could not be checked, as with no credentials at all (exit 3, never an all-clear)."""
        return cls(reason, hint="set TWILIO_* credentials and use another profile "
                   "(--profile NAME)")


class KeyringUnavailableError(AuthenticationError):
    """No OS keyring backend exists to store or read a secret, or the one there fails."""


class NoKeyringError(KeyringUnavailableError):
    """There is no OS keyring here at all, so no secret is stored in one."""


class AuditKeyError(AuthenticationError):
    """The audit trail's key is not available here: it can be neither checked nor continued."""


# --- permission (exit 4) ---------------------------------------------------


class PermissionDeniedError(VtctlError):
    """The user is neither the patient nor the psychologist (HTTP 403)."""

    exit_code = ExitCode.PERMISSION_DENIED
    http_status = 403
    guide_text = "Permission denied"


# --- not found (exit 5) ----------------------------------------------------


class NotFoundError(VtctlError):
    """The thing asked for does not exist (HTTP 404)."""

    exit_code = ExitCode.NOT_FOUND
    http_status = 404


class AppointmentNotFoundError(NotFoundError):
    """No appointment has that id."""

    guide_text = "Appointment not found"


class NoVideoRoomError(NotFoundError):
    """The appointment exists but has no video room yet."""

    guide_text = "No video room found for this appointment"

    @classmethod
    def of(cls, appointment_id: int) -> "NoVideoRoomError":
        """The guide's text, with the command that creates the room (on the backend in use:
        ``for_backend``)."""
        from vtctl.domain.commands import Suggestion

        return cls(suggests=Suggestion(("room", "create", str(appointment_id)),
                                       "create one with `{command}`"))


class UserNotFoundError(NotFoundError):
    """No stored user matches that id or email."""


# --- server side (exit 6) --------------------------------------------------


class ServerError(VtctlError):
    """The backend failed or answered something unusable (HTTP 5xx)."""

    exit_code = ExitCode.SERVER_ERROR


class MalformedResponseError(ServerError):
    """A reply was not JSON or lacked the fields the guide promises."""


class TokenGenerationError(ServerError):
    """The engine could not mint an access token."""

    #: the guide's body is ``"Failed to generate access token: <error_message>"``
    guide_text = "Failed to generate access token"

    @classmethod
    def because(cls, reason: object) -> "TokenGenerationError":
        return cls(f"{cls.guide_text}: {reason}")


class AuditWriteError(VtctlError):
    """Minted tokens cannot be recorded in the audit trail, so none are handed out."""

    exit_code = ExitCode.SERVER_ERROR
    http_status = 503  # serve: no token without its record; try again later


class StoreError(ServerError):
    """The local SQLite store is unreadable, locked or of a newer schema."""


# --- network (exit 7) ------------------------------------------------------


class NetworkError(VtctlError):
    """The backend could not be reached: refused, DNS, TLS."""

    exit_code = ExitCode.NETWORK_ERROR
    http_status = 502  # vtctl serve could not reach Twilio: a bad gateway


class RequestTimeoutError(NetworkError):
    """The backend did not answer within the timeout."""


# --- a check failed: smoke, diagnose (exit 8) ------------------------------


class SmokeFailedError(VtctlError):
    """At least one ``vtctl smoke`` check failed."""

    exit_code = ExitCode.SMOKE_FAILED

class DiagnoseProblemError(VtctlError):
    """``vtctl diagnose`` found at least one problem."""

    exit_code = ExitCode.SMOKE_FAILED


class SessionsAlertError(VtctlError):
    """A ``vtctl sessions --alert`` rule matched at least one appointment."""

    exit_code = ExitCode.SMOKE_FAILED


class ChecksNotRunError(VtctlError):
    """Checks could not run because of a fault and none found a problem: the fault's exit
    code (3 no credentials, 6 a reply that is not the API's, 7 unreachable), never 0."""

    def __init__(self, message: str, *, fault: VtctlError, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.exit_code = fault.exit_code
        #: the fault that kept the checks from running
        self.fault = fault


# --- audit (exit 9) --------------------------------------------------------


class AuditTrailError(VtctlError):
    """The audit trail failed verification: a record was changed, removed or reordered."""

    exit_code = ExitCode.AUDIT_FAILED
