"""Who staffs which group: a facilitator sees the members and sessions of the groups they staff
(assigned by a clinical lead or an administrator, or having created the group), cover (for the
dates a lead set) or have run a session of. Leads and administrators see everything.

On PostgreSQL row-level security enforces this (store.server_setup); on a laptop the services
do. ``created_by_login`` remembers, on the server, which login made a group or a member, so
its maker sees it before anyone has assigned them (the server fills it in: session_user).
"""

from peewee import *
from peewee import PostgresqlDatabase


def up(migrator, db):
    class AppUser(Model):
        class Meta:
            database = db
            table_name = "app_user"

    class TherapyGroup(Model):
        class Meta:
            database = db
            table_name = "therapy_group"

    class GroupStaff(Model):
        group = ForeignKeyField(TherapyGroup, on_delete="RESTRICT")
        user = ForeignKeyField(AppUser, on_delete="RESTRICT")
        kind = CharField(default="staff")  # "staff", or "cover" for the dates given
        starts_on = DateField(null=True)
        ends_on = DateField(null=True)
        assigned_by = IntegerField(null=True)
        assigned_at = DateTimeField()

        class Meta:
            database = db
            table_name = "group_staff"
            indexes = ((("group", "user"), False), (("user",), False))

    db.create_tables([GroupStaff])
    server = isinstance(db, PostgresqlDatabase)
    default = " DEFAULT session_user" if server else ""
    for table in ("therapy_group", "member"):
        db.execute_sql(
            f"ALTER TABLE {table} ADD COLUMN created_by_login VARCHAR(255) NULL{default}"
        )
