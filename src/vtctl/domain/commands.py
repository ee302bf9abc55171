"""A vtctl command to paste, spelled once, with the backend flags of the run that suggests it.

A command vtctl suggests (a ``diagnose`` or ``sessions`` action, an error's hint) must run
where it is suggested: on the backend in use, against the same store or API.  The flags
that say which are the run's (``config.settings.paste_flags``): the checks build their
commands with them, and an error's ``Suggestion`` gets them on its way out of a command
(``cli.framework.context.with_backend_flags``).

"""

from collections.abc import Collection, Sequence

from vtctl.util.record import Record

#: the backend flags that take no value
BARE_FLAGS = frozenset({"--local"})
#: the backend flags of the commands that read only the store (``appointment list``...)
STORE_FLAGS = frozenset({"--profile", "--store"})


def command_line(words: Sequence[str], flags: Sequence[str] = ()) -> str:
    """``vtctl WORDS FLAGS``, each word quoted for a POSIX shell where it needs it: the one
    builder of a command vtctl tells someone to run."""
    import shlex

    from vtctl.util import prog

    return shlex.join((prog.PROG, *words, *flags))


def only(flags: Sequence[str], names: Collection[str]) -> tuple[str, ...]:
    """The flags among ``names``, each with its value (``--local`` has none)."""
    kept: list[str] = []
    index = 0
    while index < len(flags):
        size = 1 if flags[index] in BARE_FLAGS else 2
        if flags[index] in names:
            kept += flags[index:index + size]
        index += size
    return tuple(kept)


class Suggestion(Record):
    """An error's hint that names a command to run: the CLI completes the command with the
    backend flags of the run, so it reaches the same data."""

    words: tuple[str, ...]
    #: the hint, with ``{command}`` where the command goes
    template: str
    #: the backend flags the command takes (None: every one)
    takes: frozenset[str] | None = None

    def command(self, flags: Sequence[str] = ()) -> str:
        """The command, with those of the run's ``flags`` it takes."""
        return command_line(self.words, flags if self.takes is None else only(flags, self.takes))

    def hint(self, flags: Sequence[str] = ()) -> str:
        # not str.format: the rest of the hint may hold braces (a store's path)
        return self.template.replace("{command}", self.command(flags), 1)


#: what to run when a store's audit trail is found broken (on the same store)
VERIFY_TRAIL = Suggestion(("audit", "verify"),
                          "run `{command}`; keep a copy of the file for investigation",
                          STORE_FLAGS)
