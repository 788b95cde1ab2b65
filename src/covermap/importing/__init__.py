"""Sources -> canonical tables: sniff, read, recognise, validate, quarantine, commit whole.

``import_paths(store, paths)`` is the entry point; ``covermap import`` calls it.
The modules, in the order a file goes through them:

- ``sniff``: encoding (BOM, strict UTF-8, else CP932), delimiter, header;
- ``readers``: one reader per format, each a re-scannable SQL table of text
  columns (and what "line" means for it);
- ``aliases`` and ``recognise``: which table a file is and which column is which;
- ``hubspot``: association tables that fill other files' columns;
- ``coerce`` and ``checks``: text -> store types, and the checks that quarantine;
- ``load``: the one transaction, the upserts and the quarantine writes (``problems``);
- ``duplicates``: the same record from two files under different ids, kept once;
- ``preview``: ``covermap import --dry-run``, the same import with nothing written.
"""

from covermap.importing.load import import_paths
from covermap.importing.preview import preview
from covermap.importing.report import FileReport, ImportReport, SkippedFile

__all__ = ["FileReport", "ImportReport", "SkippedFile", "import_paths", "preview"]
