"""
The one provenance vocabulary: where a number came from, in the words every page, flag and API answer uses.

Every number is from a platform export (its file name and SHA-256), from a platform API (`sync`), entered by
hand (`manual`) or sent through the API (`api`), and verified by an admin or not. Numbers that came neither from
a file nor from a platform were checked by nobody until an admin verifies them (`UNCHECKED`): the integrity
flags treat them alike.
"""

from metrics.models import Provenance

WORDS = {
    Provenance.IMPORT: "from a platform export",
    Provenance.SYNC: "from a platform API",
    Provenance.MANUAL: "entered by hand",
    Provenance.API: "sent through the API",
}
# Sources whose numbers no file or platform vouches for.
UNCHECKED = (Provenance.MANUAL, Provenance.API)


def label(source: str, *, file_name: str = "", sha256: str = "") -> str:
    """'from a platform export (posts.csv, SHA-256 ab12...)', 'entered by hand', ...: the source in words."""
    words = WORDS.get(source, source)
    if source == Provenance.IMPORT and file_name:
        return f"{words} ({file_name}, SHA-256 {sha256})"
    return words


def describe(snapshot) -> dict:
    """
    A snapshot's provenance: `{"source", "label", "file_name", "sha256", "verified"}`, the file's name and
    SHA-256 empty unless imported. Reads `import_file_name`/`import_sha256` when the queryset annotated them
    (`SnapshotQuerySet.with_provenance`), else the import batch (a query).
    """
    file_name = sha256 = ""
    if snapshot.import_batch_id is not None:
        if hasattr(snapshot, "import_file_name"):
            file_name, sha256 = snapshot.import_file_name, snapshot.import_sha256
        else:
            file_name, sha256 = snapshot.import_batch.file_name, snapshot.import_batch.sha256
    return {
        "source": snapshot.source,
        "label": label(snapshot.source, file_name=file_name, sha256=sha256),
        "file_name": file_name,
        "sha256": sha256,
        "verified": snapshot.is_verified,
    }
