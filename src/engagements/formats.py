"""The export formats, apart from the exports themselves: the CLI needs the choice at every start.

Kept free of imports so that building the command line (for `--help`, or a cached report)
does not load the export code.
"""

from __future__ import annotations

from enum import StrEnum


class ExportFormat(StrEnum):
    """The export formats; `csv` and `csv-excel` write a directory, the others one file."""

    csv = "csv"
    csv_excel = "csv-excel"
    md = "md"
    json = "json"
    html = "html"
    xlsx = "xlsx"

    @property
    def writes_directory(self) -> bool:
        return self in (ExportFormat.csv, ExportFormat.csv_excel)
