"""The bot database's schema, made ready (idempotent): for ``python -m bot.storage init`` and the tests.

Safe to run on every start: tables are created only if missing, and a column
added to a model after its table was first created (``tenants.region``,
``tenants.region_fixed``) is added to an existing table that lacks it. Such
columns are nullable or have a server default, so the rows already there stay
valid. Helplines are not stored here; they are read from
``data/resources/helplines.yml``.
"""

from __future__ import annotations

import logging

from sqlalchemy.engine import Engine

logger = logging.getLogger(__name__)


def add_missing_columns(engine: Engine) -> list[str]:
    """``ALTER TABLE ... ADD COLUMN`` for each model column an existing table lacks; returns ``table.column`` added."""
    from sqlalchemy import inspect, text
    from sqlalchemy.exc import SQLAlchemyError

    from bot.storage.models import Base

    added: list[str] = []
    inspector = inspect(engine)
    existing_tables = set(inspector.get_table_names())
    for table in Base.metadata.sorted_tables:
        if table.name not in existing_tables:
            continue
        present = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in present:
                continue
            if not column.nullable and column.server_default is None:
                raise RuntimeError(f"{table.name}.{column.name} needs a server default to be added to existing rows")
            ddl = f"ALTER TABLE {table.name} ADD COLUMN {column.name} {column.type.compile(dialect=engine.dialect)}"
            if column.server_default is not None:
                default = column.server_default.arg.compile(dialect=engine.dialect)
                ddl += f" DEFAULT {default}"
            if not column.nullable:
                ddl += " NOT NULL"
            try:
                with engine.begin() as conn:
                    conn.execute(text(ddl))
            except SQLAlchemyError:
                # Another process may have added it in the meantime; only a column still missing is an error.
                if column.name not in {c["name"] for c in inspect(engine).get_columns(table.name)}:
                    raise
                continue
            logger.info("database: added column %s.%s", table.name, column.name)
            added.append(f"{table.name}.{column.name}")
    return added


def init_db(url: str | None = None) -> list[str]:
    """Create the missing tables and columns; returns the names of the project's tables."""
    from bot.storage.models import Base
    from bot.storage.session import get_engine

    engine = get_engine(url)
    Base.metadata.create_all(engine)
    add_missing_columns(engine)
    return sorted(Base.metadata.tables)
