"""Database helpers the ORM lacks."""

from django.db import connection


def update_fields(objects: list, fields: list[str]) -> None:
    """
    Like `QuerySet.bulk_update(objects, fields)`: save those fields of each object (found by pk),
    with one UPDATE statement run for every object in one call.

    Not `bulk_update` itself: it builds a CASE WHEN expression per row and column in Python, and
    10,000 snapshots took about a minute on SQLite and PostgreSQL alike; this takes a fraction of a
    second on SQLite and about a second on PostgreSQL.
    """
    if not objects:
        return
    meta = objects[0]._meta
    model_fields = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in model_fields)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
    params = [
        [*(field.get_db_prep_save(getattr(obj, field.attname), connection) for field in model_fields), obj.pk]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
