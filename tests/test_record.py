"""``vtctl.util.record.Record``: a frozen record as a dataclass or NamedTuple is."""

import copy
import pickle
from typing import Any, ClassVar

import pytest

from vtctl.util.record import Record


class Point(Record):
    x: int
    y: int
    label: str = "origin"
    UNITS: ClassVar[str] = "px"


class Labelled(Point):
    colour: str = "red"


def test_fields_in_declaration_order_without_class_vars() -> None:
    assert Point._fields == ("x", "y", "label")
    assert Labelled._fields == ("x", "y", "label", "colour")
    assert Point(1, 2).UNITS == "px"


def test_positional_named_and_default_values() -> None:
    assert Point(1, 2, "a").label == "a"
    assert Point(1, y=2).label == "origin"
    assert Point(y=2, x=1, label="b") == Point(1, 2, "b")
    assert Labelled(1, 2).colour == "red"


@pytest.mark.parametrize(("args", "kwargs", "message"), [
    ((1,), {}, "Point() needs the field 'y'"),
    ((1, 2, "a", "b"), {}, "Point() takes 3 fields, 4 were given"),
    ((1, 2), {"x": 3}, "Point(): a field given twice: 'x'"),
    ((1, 2, "a"), {"x": 3}, "Point(): a field given twice: 'x'"),  # every field, and one more
    ((1, 2), {"z": 3}, "Point(): an unknown field: 'z'"),
])
def test_wrong_calls_are_type_errors(
    args: tuple[Any, ...], kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(TypeError) as raised:
        Point(*args, **kwargs)
    assert str(raised.value) == message


def test_a_field_without_default_after_one_with_it_is_refused() -> None:
    with pytest.raises(TypeError) as raised:
        class Bad(Record):
            a: int = 0
            b: int  # type: ignore[misc]  # mypy sees it too
    assert str(raised.value) == "Bad: a field without a default follows one with it"


def test_read_only() -> None:
    point = Point(1, 2)
    with pytest.raises(AttributeError) as raised:
        point.x = 3  # type: ignore[misc]
    assert str(raised.value) == "Point is read-only: use _replace(x=...)"
    with pytest.raises(AttributeError) as raised:
        del point.x  # type: ignore[misc]
    assert str(raised.value) == "Point is read-only"
    assert point.x == 1


def test_equal_and_hash_by_class_and_fields() -> None:
    assert Point(1, 2) == Point(1, 2, "origin")
    assert Point(1, 2) != Point(1, 3)
    assert Point(1, 2) != Labelled(1, 2)  # another class is never equal
    assert Point(1, 2) != (1, 2, "origin")  # nor a tuple
    assert hash(Point(1, 2)) == hash(Point(1, 2))
    assert len({Point(1, 2), Point(1, 2), Point(2, 1)}) == 2


def test_replace_makes_a_changed_copy() -> None:
    point = Point(1, 2)
    moved = point._replace(y=5)
    assert (moved, point) == (Point(1, 5), Point(1, 2))
    with pytest.raises(TypeError, match="an unknown field: 'z'"):
        point._replace(z=1)


def test_repr_names_each_field() -> None:
    assert repr(Point(1, 2)) == "Point(x=1, y=2, label='origin')"


def test_copies_and_pickles_as_itself() -> None:
    point = Labelled(1, 2, "a", "blue")
    assert pickle.loads(pickle.dumps(point)) == point
    assert copy.deepcopy(point) == point
    assert copy.copy(point) == point


def test_class_vars_written_as_text_are_not_fields() -> None:
    """Under ``from __future__ import annotations`` an annotation is its text."""
    annotations = {"a": "int", "b": "ClassVar[int]", "c": "typing.ClassVar[int]"}
    text = type("Text", (Record,), {"__annotations__": annotations, "b": 1, "c": 2})
    assert text._fields == ("a",)


def test_type_checkers_read_it_as_a_frozen_dataclass() -> None:
    """What mypy reads (PEP 681): constructor calls checked, fields read-only."""
    declared = Record.__dataclass_transform__  # type: ignore[attr-defined]
    # Python 3.11 keeps frozen_default among the other keywords; 3.12 names it
    frozen = declared.get("frozen_default", declared["kwargs"].get("frozen_default"))
    assert frozen is True


class Base(Record):
    a: int
    b: int = 2


class Redeclared(Base):
    b: int = 5  # as a dataclass may: an inherited field with a new default


def test_a_field_declared_again_keeps_its_place_and_takes_the_new_default() -> None:
    assert Redeclared._fields == ("a", "b")
    assert (Redeclared(1).b, Redeclared(1, 7).b) == (5, 7)
    with pytest.raises(TypeError):
        Redeclared(1, 7, 9)  # type: ignore[call-arg]


class Left(Record):
    a: int


class Right(Record):
    b: int


def test_fields_of_every_record_base_in_method_resolution_order() -> None:
    class Both(Left, Right):
        pass

    assert Both._fields == ("b", "a")  # as a dataclass orders them: the last base first
    assert Both(b=1, a=2) == Both(1, 2)


def test_a_class_var_through_a_module_alias_is_not_a_field() -> None:
    annotations = {"a": "int", "k": "t.ClassVar[int]", "v": "ClassVarious"}
    text = type("Text", (Record,), {"__annotations__": annotations, "k": 1})
    assert text._fields == ("a", "v")


def test_positional_patterns_match_the_fields() -> None:
    match Base(1, 2):
        case Base(x, y):
            assert (x, y) == (1, 2)
        case _:
            pytest.fail("Base(x, y) did not match")


class Login(Record):
    user: str
    password: str

    _hidden = frozenset({"password"})


def test_hidden_fields_never_shown_by_repr() -> None:
    login = Login("ann", "s3cret")
    assert repr(login) == "Login(user='ann', password=<hidden>)"
    assert login.password == "s3cret" and Login._fields == ("user", "password")


def test_a_stored_secrets_repr_hides_its_value() -> None:
    from vtctl.config.secrets_store import StoredSecret

    shown = repr(StoredSecret("eyJ.secret.value", "plain file"))
    assert "eyJ.secret.value" not in shown and "plain file" in shown
