"""The program's name and its shell completion variable, shared by the Typer side
(``cli.completion``, the man pages) and the Typer-free side (``launch``)."""

PROG = "vtctl"
#: Typer's completion protocol: ``_VTCTL_COMPLETE=complete_bash vtctl`` asks for candidates
COMPLETE_VAR = "_VTCTL_COMPLETE"
#: the options that print a command's help (Typer's ``help_option_names``, in this order)
HELP_OPTIONS = ("-h", "--help")
