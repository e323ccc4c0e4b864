"""`lazy`: `functools.cached_property` without its lock, for the extractor's per-report objects."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")


class lazy(Generic[T]):  # noqa: N801 - named like the decorator it replaces
    """A value computed on first read and kept in the instance's `__dict__`, where later reads find it without
    calling here. Python 3.11's cached_property takes a lock on every first read, a large share of the cost of
    a sentence view; a report's objects belong to one thread while it is analysed, so none is needed."""

    def __init__(self, func: Callable[[Any], T]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> lazy[T]: ...

    @overload
    def __get__(self, obj: object, owner: type | None = None) -> T: ...

    def __get__(self, obj: object | None, owner: type | None = None) -> T | lazy[T]:
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.func(obj)
        return value
