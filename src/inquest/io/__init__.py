"""Reading victim lists in the standard list format (CSV, XLSX, Parquet, mapping files)."""

from inquest.io.lists import LIST_FORMATS, provenance_columns, read_list, read_lists
from inquest.io.mapping import ColumnMapping, load_mapping
from inquest.io.schema import ColumnSpec, ListSchema, standard_schema

__all__ = [
    "LIST_FORMATS",
    "ColumnMapping",
    "ColumnSpec",
    "ListSchema",
    "load_mapping",
    "provenance_columns",
    "read_list",
    "read_lists",
    "standard_schema",
]
