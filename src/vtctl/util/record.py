"""``Record``: an immutable record declared by its annotations, cheap to create at import.

Why not a dataclass or a ``typing.NamedTuple``: both generate code and compile it when
the class is created, at every start of every command. On CPython 3.11 a NamedTuple of
eight fields costs ~1 M instructions to create, a frozen dataclass ~5 M; a ``Record``
~0.2 M (its methods are written once, here). ``vtctl token`` builds 17 records before
it mints, which is what issue 20's floor row measures (benchmarks/RESULTS.md).

A record behaves as a frozen dataclass does: fields in declaration order, positional or
by name, defaults after the fields without one; equal to a record of the same class
with equal fields, hashable when they are; read-only (``_replace`` makes a changed
copy, as a NamedTuple's does); ``_fields`` names them. mypy checks its constructor calls
as a dataclass's (``dataclass_transform``, PEP 681).

A record is not a tuple (no order, no length, no unpacking) and not a dataclass
(``dataclasses.replace``, ``fields`` and ``asdict`` refuse it, though mypy lets them
through). Making one costs ~1 us, a NamedTuple ~0.3 us: ``VideoToken``, which the
engine makes for every token (the engine row measures it), stays a NamedTuple; the
audit's records (``Minted``, ``AuditRecord``, ``ChainedRecord``) are records, ~2 us of
the ~200 us of CPU ``serve`` spends on a token.
"""

import inspect
from typing import Any, ClassVar, Self, dataclass_transform, get_origin


@dataclass_transform(frozen_default=True)
class Record:
    """Subclass it and annotate the fields (``name: str``, ``port: int = 0``)."""

    #: the field names, in declaration order (a parent record's first)
    _fields: ClassVar[tuple[str, ...]]
    #: the default of each field that has one
    _defaults: ClassVar[dict[str, Any]]
    #: fields whose value ``repr`` never shows (a token, a secret): a log line, a
    #: traceback's locals or ``--debug`` prints ``<hidden>`` instead
    _hidden: ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields: dict[str, None] = {}  # ordered, as a dataclass orders them: base first
        defaults: dict[str, Any] = {}
        for base in reversed(cls.__mro__):
            if not issubclass(base, Record):  # Record's own annotations are ClassVars
                continue
            for name, kind in inspect.get_annotations(base).items():
                if not _is_class_var(kind):
                    fields.setdefault(name)  # a field declared again keeps its place
                    if name in base.__dict__:
                        defaults[name] = base.__dict__[name]
        cls._fields = tuple(fields)
        cls.__match_args__ = cls._fields  # type: ignore[misc,attr-defined]  # as mypy makes it
        cls._defaults = defaults
        has_default = [name in defaults for name in cls._fields]
        if has_default != sorted(has_default):  # as a dataclass: no default, then defaults
            raise TypeError(f"{cls.__name__}: a field without a default follows one with it")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        names = self._fields
        if len(args) == len(names) and not kwargs:  # the common case, kept short
            self.__dict__.update(zip(names, args, strict=True))
        else:
            self.__dict__.update(self._bound(args, kwargs))

    def _bound(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        """``args`` and ``kwargs`` as field values, with the defaults, or a TypeError."""
        name_of = type(self).__name__
        names = self._fields
        if len(args) > len(names):
            raise TypeError(f"{name_of}() takes {len(names)} fields, {len(args)} were given")
        values = dict(zip(names, args, strict=False))
        for name in kwargs:
            if name in values or name not in names:
                why = "a field given twice" if name in values else "an unknown field"
                raise TypeError(f"{name_of}(): {why}: {name!r}")
        for name in names[len(args):]:
            if name in kwargs:
                values[name] = kwargs[name]
            elif name in self._defaults:
                values[name] = self._defaults[name]
            else:
                raise TypeError(f"{name_of}() needs the field {name!r}")
        return values

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only: use _replace({name}=...)")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash((type(self), *self.__dict__.values()))

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}=<hidden>" if name in self._hidden else f"{name}={value!r}"
                           for name, value in self.__dict__.items())
        return f"{type(self).__name__}({fields})"

    def _replace(self, **changes: Any) -> Self:
        """A copy with ``changes`` (field names, as a NamedTuple's ``_replace`` takes)."""
        return type(self)(**{**self.__dict__, **changes})


def _is_class_var(kind: Any) -> bool:
    """``ClassVar[...]`` as an object, or as the text of a postponed annotation."""
    if isinstance(kind, str):  # "ClassVar[int]", "typing.ClassVar[int]", "t.ClassVar[int]"
        return kind.partition("[")[0].rpartition(".")[2] == "ClassVar"
    return kind is ClassVar or get_origin(kind) is ClassVar
