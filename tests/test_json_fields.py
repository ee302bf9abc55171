"""``--json [FIELDS]`` and ``--jq``, declared by each command that prints a JSON document."""

from __future__ import annotations

import json
from typing import Any

import pytest

from vtctl.domain.errors import UsageError
from vtctl.domain.models import TOKEN_FIELDS
from vtctl.ui.output import (
    ALL_FIELDS,
    OutputFormat,
    check_jq,
    check_json_fields,
    output_format,
    parse_fields,
    select_fields,
)

Cli = Any


def test_fields_after_json_keep_only_those_keys_in_order(cli: Cli) -> None:
    result = cli("token", "47", "--profile", "demo", "--json", "room_name,expires_at")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert list(document) == ["room_name", "expires_at"]
    assert document["room_name"].startswith("apt-47-")
    assert document["expires_at"].endswith("Z")


def test_equals_form(cli: Cli) -> None:
    result = cli("token", "47", "--profile", "demo", "--json=expires_at,room_name")
    assert result.exit_code == 0, result.stderr
    assert list(json.loads(result.stdout)) == ["expires_at", "room_name"]


def test_fields_before_the_positional_argument(cli: Cli) -> None:
    result = cli("token", "--json", "user_identity", "47", "--profile", "demo")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"user_identity": "2-jane.doe@example.com"}


def test_plain_json_is_the_whole_document(cli: Cli) -> None:
    result = cli("token", "47", "--profile", "demo", "--json")
    assert result.exit_code == 0, result.stderr
    assert tuple(json.loads(result.stdout)) == TOKEN_FIELDS


def test_unknown_field_is_a_usage_error_listing_valid_fields(cli: Cli) -> None:
    result = cli("token", "47", "--profile", "demo", "--json", "room_name,bogus")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "bogus" in result.stderr
    assert "valid fields: " + ", ".join(TOKEN_FIELDS) in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("value", ["", "Room", "room name", "a,,b", "a,"])
def test_malformed_field_list_is_a_usage_error(cli: Cli, value: str) -> None:
    result = cli("token", "47", "--profile", "demo", f"--json={value}")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "--json takes a comma-separated list" in result.stderr


def test_list_results_are_filtered_per_item(cli: Cli) -> None:
    result = cli("appointment", "list", "--profile", "demo", "--json", "video_room_id,id")
    assert result.exit_code == 0, result.stderr
    items = json.loads(result.stdout)
    assert items and all(list(item) == ["video_room_id", "id"] for item in items)
    assert 47 in [item["id"] for item in items]


def test_list_results_reject_unknown_fields(cli: Cli) -> None:
    result = cli("appointment", "list", "--profile", "demo", "--json", "nope")
    assert result.exit_code == 2
    assert "valid fields: id, patient_id" in result.stderr


def test_a_word_needed_as_the_positional_argument_stays_positional(cli: Cli) -> None:
    # `import --json data`: `data` must remain the FILE, not become a field list
    result = cli("appointment", "import", "--profile", "demo", "--json", "data")
    assert result.exit_code == 2
    assert "--json takes" not in result.stderr
    assert "cannot read data" in result.stderr


def test_json_on_a_command_with_raw_still_exclusive(cli: Cli) -> None:
    result = cli("token", "47", "--profile", "demo", "--json", "room_name", "--raw")
    assert result.exit_code == 2


def test_fields_do_not_leak_into_the_next_run(cli: Cli) -> None:
    assert cli("token", "47", "--profile", "demo", "--json", "room_name").exit_code == 0
    result = cli("token", "47", "--profile", "demo", "--json")
    assert tuple(json.loads(result.stdout)) == TOKEN_FIELDS


def test_help_shows_the_optional_fields_and_an_example_of_its_own(vtctl: Any) -> None:
    proc = vtctl("token", "--help", env={"COLUMNS": "200"})
    assert proc.returncode == 0
    assert "[FIELDS]" in proc.stdout
    assert "--json access_token,room_name" in proc.stdout


def test_a_summary_document_has_fields_and_jq_too(
    cli: Cli, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `appointment import` was a plain on/off --json; now --json [FIELDS] and --jq like all
    from vtctl.local.demo import demo_data_text

    data = tmp_path / "demo.json"
    data.write_text(demo_data_text())
    monkeypatch.setenv("VTCTL_STORE", str(tmp_path / "store.sqlite3"))
    result = cli("appointment", "import", str(data), "--json", "added")
    assert result.exit_code == 0, result.stderr
    assert list(json.loads(result.stdout)) == ["added"]
    result = cli("appointment", "import", str(data), "--jq", ".unchanged")
    assert result.exit_code == 0, result.stderr
    assert int(result.stdout) > 0


def test_no_warning_when_the_fields_were_applied(cli: Cli) -> None:
    result = cli("token", "47", "--profile", "demo", "--json", "room_name")
    assert result.stderr == ""


# -- --jq EXPR -------------------------------------------------------------------


def test_jq_prints_strings_bare(cli: Cli) -> None:
    result = cli("token", "47", "--profile", "demo", "--jq", ".room_name")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "apt-47-1763138954-46eb915c\n"


def test_jq_equals_form_and_json_values(cli: Cli) -> None:
    result = cli("token", "47", "--profile", "demo", "--jq={expires_in, appointment_id}")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"expires_in": 5400, "appointment_id": 47}


def test_jq_after_field_selection(cli: Cli) -> None:
    result = cli("token", "47", "--profile", "demo", "--json", "room_name", "--jq", "keys")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == ["room_name"]


def test_jq_on_a_list_gives_one_line_per_output(cli: Cli) -> None:
    result = cli("appointment", "list", "--profile", "demo", "--jq", ".[].id")
    assert result.exit_code == 0, result.stderr
    assert "47" in result.stdout.split()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--jq", ".["), "invalid --jq expression"),
        (("--jq", ".room_name.x"), "--jq expression failed"),
        (("--jq",), "--jq needs a jq expression"),
        (("--jq=",), "--jq needs a jq expression"),
    ],
)
def test_jq_errors_exit_2(cli: Cli, args: tuple[str, ...], message: str) -> None:
    result = cli("token", "47", "--profile", "demo", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert "Traceback" not in result.stderr


# -- the library side ---------------------------------------------------------


def test_output_format_from_the_declared_values() -> None:
    assert output_format(None) == OutputFormat()
    assert output_format(ALL_FIELDS) == OutputFormat(json=True)
    assert output_format("b,a") == OutputFormat(json=True, fields=("b", "a"))
    assert output_format(None, ".a", raw=False) == OutputFormat(json=True, jq=".a")


def test_the_flags_checks_before_the_command_runs() -> None:
    check_json_fields(ALL_FIELDS, ("a", "b"))
    check_json_fields("b,a", ("a", "b"))
    with pytest.raises(UsageError, match="unknown JSON field c; valid fields: a, b") as found:
        check_json_fields("a,c", ("a", "b"), hint="try --jq")
    assert found.value.hint == "try --jq"
    with pytest.raises(UsageError, match="comma-separated list of field names"):
        check_json_fields("A", ("a",))
    check_jq(".a")
    with pytest.raises(UsageError, match="--jq needs a jq expression"):
        check_jq(" ")
    with pytest.raises(UsageError, match="invalid --jq expression"):
        check_jq(".[")


def test_select_fields_and_parse_fields() -> None:
    assert parse_fields("b,a,b") == ("b", "a")
    assert select_fields({"a": 1, "b": 2, "c": 3}, ("c", "a")) == {"c": 3, "a": 1}
    assert select_fields([], ("x",)) == []
    with pytest.raises(UsageError, match="valid fields: a, b"):
        select_fields({"a": 1, "b": 2}, ("z",))


# -- the real executable --------------------------------------------------------


def test_subprocess_field_selection(vtctl: Any) -> None:
    proc = vtctl("token", "47", "--profile", "demo", "--json", "room_name,expires_at")
    assert proc.returncode == 0, proc.stderr
    assert list(json.loads(proc.stdout)) == ["room_name", "expires_at"]


def test_subprocess_bad_field(vtctl: Any) -> None:
    proc = vtctl("token", "47", "--profile", "demo", "--json=room")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "valid fields:" in proc.stderr
    assert "Traceback" not in proc.stderr


# -- declared per command ---------------------------------------------------------


def _declared_fields(*path: str) -> tuple[str, ...]:
    """The field list a command's ``--json`` declaration names (from its help text)."""
    import typer.main

    from vtctl.cli.framework.app import build_app

    command: Any = typer.main.get_command(build_app())
    for name in path:
        command = command.commands[name]
    option = next(p for p in command.params if "--json" in p.opts)
    listed = option.help.partition("Fields: ")[2].partition(".")[0]
    return tuple(listed.split(", "))


@pytest.mark.parametrize(
    ("path", "args"),
    [
        (("token",), ("47", "--profile", "demo")),
        (("refresh",), ("47", "--profile", "demo")),
        (("appointment", "show"), ("47", "--profile", "demo")),
        (("mint",), ("--identity", "x", "--room", "r", "--profile", "demo")),
    ],
    ids=" ".join,
)
def test_the_declared_fields_are_the_documents_keys(
    cli: Cli, path: tuple[str, ...], args: tuple[str, ...]
) -> None:
    result = cli(*path, *args, "--json")
    assert result.exit_code == 0, result.stderr
    assert tuple(json.loads(result.stdout)) == _declared_fields(*path)


def test_help_lists_the_fields_and_jq(vtctl: Any) -> None:
    proc = vtctl("appointment", "list", "--help", env={"COLUMNS": "200"})
    assert proc.returncode == 0
    assert "--jq" in proc.stdout and "EXPR" in proc.stdout
    assert "Fields: id, patient_id, psychologist_id" in " ".join(proc.stdout.split())


def test_jq_completes_on_every_command_with_fields(vtctl: Any) -> None:
    proc = vtctl(env={"_VTCTL_COMPLETE": "complete_bash", "COMP_WORDS": "vtctl token 47 --j",
                      "COMP_CWORD": "3"})
    assert proc.returncode == 0
    assert proc.stdout.split() == ["--json", "--jq"]


def test_a_bare_json_before_an_option_is_every_field(cli: Cli) -> None:
    result = cli("token", "47", "--json", "--profile", "demo")
    assert result.exit_code == 0, result.stderr
    assert tuple(json.loads(result.stdout)) == TOKEN_FIELDS


@pytest.mark.parametrize(("args", "spelled"), [
    (["47", "--json", "store,pulled"], ["47", "--json=store,pulled"]),
    (["--json", "store", "47"], ["--json=store", "47"]),
    (["--json", "47"], ["--json=\0", "47"]),  # an id is never a field list
    (["--json", "store"], ["--json=\0", "store"]),  # the one ID... is needed as the ID
])
def test_a_variadic_argument_leaves_a_field_list_to_json(args: list[str], spelled: list[str]
                                                         ) -> None:
    """`appointment pull ID... --json a,b` and `smoke ID... --json a,b` (nargs -1)."""
    from vtctl.util.jsonargs import spell_json_values

    assert spell_json_values(args, {"--profile"}, [-1]) == spelled
