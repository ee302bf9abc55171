"""What every command shares: the Typer app and its command table (``app``,
``commands``), where errors become exit codes (``runtime``), shared flags
(``options``, ``backend_flags``, ``json_flags``), the Typer context
(``context``) and checks on command-line values (``validate``)."""
