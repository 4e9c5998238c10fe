import psycopg

from tests.conftest import TEMPLATE


def test_the_server_is_real_and_databases_copy_from_the_template(pg_server):
    pg_server.create_database("copy_check", template=TEMPLATE)
    with psycopg.connect(pg_server.url("copy_check")) as conn:
        tables = {
            row[0]
            for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname='public'")
        }
        version = conn.execute("SHOW server_version").fetchone()[0]
    assert {"session", "member_note", "signature"} <= tables
    assert int(version.split(".")[0]) >= 13
    pg_server.drop_database("copy_check")
    with psycopg.connect(pg_server.url()) as conn:
        names = {row[0] for row in conn.execute("SELECT datname FROM pg_database")}
    assert "copy_check" not in names
