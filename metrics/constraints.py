"""
A unique constraint whose index also holds other columns where the database can, so that a lookup by its key
reads them from the index alone.

The snapshot table's unique (post, captured_on) index serves the probe "each post's latest snapshot on or before
a day", which every read of a past day's numbers runs once per post (`metrics.post_table`, `with_metrics_as_of`
for a past day). On PostgreSQL the index carries the snapshot's id and counted fields as well (INCLUDE), so the
probe is an index-only scan: at hundreds of millions of snapshots a probe that also reads the table is a random
read of the table for every post. Django's own `UniqueConstraint(include=...)` would leave the whole constraint,
uniqueness and all, out on a database without covering indexes (SQLite); this one is the plain unique constraint
there.
"""

from django.db import models


class CoveringUniqueConstraint(models.UniqueConstraint):
    def __init__(self, *args, covering: tuple[str, ...] | list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.covering = tuple(covering)

    def _as_built(self, schema_editor) -> models.UniqueConstraint:
        """The plain constraint this one is on `schema_editor`'s database: with INCLUDE where it has them."""
        include = self.covering if schema_editor.connection.features.supports_covering_indexes else ()
        return models.UniqueConstraint(
            fields=self.fields,
            name=self.name,
            include=include,
            violation_error_code=self.violation_error_code,
            violation_error_message=self.violation_error_message,
        )

    def constraint_sql(self, model, schema_editor):
        return self._as_built(schema_editor).constraint_sql(model, schema_editor)

    def create_sql(self, model, schema_editor):
        return self._as_built(schema_editor).create_sql(model, schema_editor)

    def remove_sql(self, model, schema_editor):
        return self._as_built(schema_editor).remove_sql(model, schema_editor)

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        if self.covering:
            kwargs["covering"] = self.covering
        return path, args, kwargs

    def __eq__(self, other):
        return super().__eq__(other) and self.covering == getattr(other, "covering", ())
