"""The embedded profile's shared cache."""

from typing import Any

from diskcache import DjangoCache


class DiskCache(DjangoCache):
    """diskcache's Django backend, keeping each thread's SQLite connections between requests.

    Django closes every cache when a request ends, which for diskcache means reopening and
    re-reading the settings of each shard on the next request: more than the lookups cost.
    """

    def close(self, **kwargs: Any) -> None:
        """Connections stay open for the thread's next request, like the database's."""
