"""Reading victim lists in the standard list format (CSV, XLSX, Parquet and any registered
``ListFormat``; mapping files; header sniffing and mapping suggestions)."""

from inquest.io.formats import ListFormat, check_list_bytes, format_for, list_formats
from inquest.io.lists import ListSample, provenance_columns, read_list, read_lists, sample_list
from inquest.io.mapping import ColumnMapping, load_mapping
from inquest.io.schema import ColumnSpec, ListSchema, standard_schema

__all__ = [
    "ColumnMapping",
    "ColumnSpec",
    "ListFormat",
    "ListSample",
    "ListSchema",
    "check_list_bytes",
    "format_for",
    "list_formats",
    "load_mapping",
    "provenance_columns",
    "read_list",
    "read_lists",
    "sample_list",
    "standard_schema",
]
