"""The warehouse's tables (DuckDB DDL) and the default location of the file.

Tables
------
``meta``               schema version
``raw_files``          every raw file byte for byte (encrypted when it holds direct identifiers), by SHA-256
``codebooks``          every codebook used, as YAML, by content hash
``loads``              one row per load: dataset, wave, status (current / superseded), provenance
``data_<load_id>``     the validated rows of a load (``_row`` + stored columns)
``quarantine_<id>``    the rows of a load that failed validation, with reasons
``screenings``         one row per (load, rule set): the rules and the sample flow
``screen_exclusions``  the excluded rows of each screening, with step and rule
"""

from __future__ import annotations

from pathlib import Path

from flexemp.ingest.pseudonymise import flexemp_home

SCHEMA_VERSION = "1"
DB_FILE_NAME = "warehouse.duckdb"

DDL = (
    "CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
    """CREATE TABLE IF NOT EXISTS raw_files (
        sha256 VARCHAR PRIMARY KEY, file_name VARCHAR, size BIGINT,
        encrypted BOOLEAN, content BLOB, stored_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS codebooks (
        sha256 VARCHAR PRIMARY KEY, dataset VARCHAR, yaml VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS loads (
        load_id INTEGER PRIMARY KEY, dataset VARCHAR NOT NULL, wave VARCHAR NOT NULL,
        status VARCHAR NOT NULL, loaded_at TIMESTAMP NOT NULL, file_name VARCHAR,
        file_sha256 VARCHAR NOT NULL, codebook_sha256 VARCHAR NOT NULL,
        rows_read BIGINT, rows_stored BIGINT, rows_quarantined BIGINT,
        policy VARCHAR, pii VARCHAR, raw_retained BOOLEAN, flexemp_version VARCHAR,
        report_json VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS screenings (
        screening_id INTEGER PRIMARY KEY, load_id INTEGER NOT NULL, rules_sha256 VARCHAR NOT NULL,
        rules_json VARCHAR, flow_json VARCHAR, created_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS screen_exclusions (
        screening_id INTEGER NOT NULL, _row BIGINT NOT NULL, step INTEGER, rule VARCHAR)""",
)


def default_db_path() -> Path:
    """``$FLEXEMP_HOME/warehouse.duckdb`` (FLEXEMP_HOME defaults to the user data folder).

    Examples
    --------
    >>> default_db_path().name
    'warehouse.duckdb'
    """
    return flexemp_home() / DB_FILE_NAME


def data_table(load_id: int) -> str:
    """Name of the table holding a load's validated rows."""
    return f"data_{int(load_id)}"


def quarantine_table(load_id: int) -> str:
    """Name of the table holding a load's quarantined rows."""
    return f"quarantine_{int(load_id)}"
