"""Registries of plugins for outside systems (SMS, population database, …).

Each kind of outside system has a registry; each plugin registers under a key, and the
setting MOTCUA_PLUGINS[<registry name>] picks the one in use ("demo" by default).
"""

from collections.abc import Callable
from typing import Generic, TypeVar

from django.conf import settings

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, name: str):
        self.name = name
        self._factories: dict[str, Callable[[], T]] = {}

    def register(self, key: str) -> Callable[[Callable[[], T]], Callable[[], T]]:
        def decorator(factory: Callable[[], T]) -> Callable[[], T]:
            if key in self._factories:
                raise ValueError(f"{self.name} plugin {key!r} is registered twice")
            self._factories[key] = factory
            return factory

        return decorator

    def keys(self) -> list[str]:
        return sorted(self._factories)

    def get(self, key: str | None = None) -> T:
        """The plugin named by `key`, or by the setting for this registry."""
        key = key or settings.MOTCUA_PLUGINS.get(self.name, "demo")
        try:
            return self._factories[key]()
        except KeyError:
            raise LookupError(f"No {self.name} plugin {key!r}; known: {', '.join(self.keys())}") from None
