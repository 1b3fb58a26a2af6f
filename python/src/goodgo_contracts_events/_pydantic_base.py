"""The base class of the generated pydantic models: JSON Schema semantics, not pydantic's coercions."""

from __future__ import annotations

import types
import typing
from typing import Any, ClassVar, Literal, Union

from pydantic import BaseModel, ConfigDict, model_validator


def _accepts_int(annotation: Any) -> bool:
    """int, int | None, or a Literal of ints (schemaVersion: Literal[1])."""
    if annotation is int:
        return True
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return any(type(a) is int for a in typing.get_args(annotation))
    return origin in (Union, types.UnionType) and any(_accepts_int(a) for a in typing.get_args(annotation))


class ContractModel(BaseModel):
    """Strict, tolerant of unknown fields, and exact about integers, as the schemas are.

    - ``strict``: pydantic's lax mode would turn ``"123"`` into ``123`` and ``true`` into ``1``, which
      the schemas reject.
    - JSON Schema counts ``1.0`` as the integer 1 (and Python's ``json`` parses it as a float), so
      integral floats become ints for int fields before strict validation; ``1.5`` is still refused.
    - ``True == 1`` in Python, so pydantic lets ``true`` through a ``Literal[1]``; JSON Schema does
      not: booleans are refused for every integer field.
    - ``extra="allow"``: the models follow consumer mode (tolerant reader); unknown fields are kept,
      so re-serialising an event loses nothing.
    - ``regex_engine="python-re"``: the patterns use a lookahead, which pydantic's Rust engine lacks.
    """

    model_config = ConfigDict(strict=True, extra="allow", regex_engine="python-re")
    _int_fields: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls._int_fields = frozenset(name for name, f in cls.model_fields.items() if _accepts_int(f.annotation))

    @model_validator(mode="before")
    @classmethod
    def _integral_floats(cls, data: Any) -> Any:
        if cls._int_fields and isinstance(data, dict):
            for k in cls._int_fields:
                if type(data.get(k)) is bool:
                    raise ValueError(f"{k} must be an integer, not a boolean")
            fix = [k for k in cls._int_fields if type(data.get(k)) is float and data[k].is_integer()]
            if fix:
                data = {**data, **{k: int(data[k]) for k in fix}}
        return data
