"""The protective triggers `check` expects are exactly those the migrations make.

After changing a trigger in a migration, rewrite facilitator/store/triggers.json with
``python -m tests.store.test_triggers`` and say why in the commit."""

import json

import pytest

from facilitator.services import integrity
from facilitator.store import triggers
from facilitator.store.keys import FAST_FOR_TESTS
from tests.conftest import ADMIN, PASSWORD, new_workspace
from tests.tampering import owner_db


def test_a_fresh_database_has_the_shipped_triggers(ws):
    engine, found = triggers.installed()
    assert found == triggers.shipped(engine)
    assert len(found) >= 10
    assert triggers.problems() == []


@pytest.mark.parametrize("how", ["dropped", "disabled", "replaced"])
def test_check_names_a_trigger_dropped_disabled_or_replaced(ws, how):
    engine, _ = triggers.installed()
    server = engine == "postgresql"
    name = "lock_signed_content" if server else "lock_signed_content_update"
    with owner_db(ws) as database:  # the owner's rights: no staff login may touch a trigger
        _tamper(database, server, name, how)
    problems = integrity.check(ws).problems
    assert any(name in p for p in problems), problems


def _tamper(database, server, name, how):
    if how == "dropped":
        database.execute_sql(
            f"DROP TRIGGER {name} ON signed_content" if server else f"DROP TRIGGER {name}"
        )
    elif how == "disabled" and server:
        database.execute_sql(f"ALTER TABLE signed_content DISABLE TRIGGER {name}")
    else:  # SQLite cannot disable one: it is replaced by one that does nothing
        database.execute_sql(
            f"DROP TRIGGER {name} ON signed_content" if server else f"DROP TRIGGER {name}"
        )
        database.execute_sql(
            f"CREATE TRIGGER {name} BEFORE UPDATE ON signed_content "
            + ("FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger()" if server
               else "BEGIN SELECT 1; END")
        )  # fmt: skip


def _write_manifest() -> None:  # pragma: no cover - a maintainer's tool
    import tempfile

    from tests.pgserver import PostgresServer

    manifest = {}
    with tempfile.TemporaryDirectory() as folder:
        ws = new_workspace(f"{folder}/clinic.db")
        manifest["sqlite"] = triggers.installed()[1]
        ws.close()
    from facilitator.services import server as clinic_server

    with PostgresServer() as server:
        server.create_database("manifest")
        clinic_server.init(server.url("manifest"), password=PASSWORD, kdf=FAST_FOR_TESTS, **ADMIN)
        ws = new_workspace(server.staff_url("manifest"))
        manifest["postgresql"] = triggers.installed()[1]
        ws.close()
    triggers.SHIPPED.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    _write_manifest()
