"""Who may sign clinically and who must be co-signed: columns on the users table."""

from peewee import *


def up(migrator, db):
    for sql in (
        # An administrator who is not also a clinician signs nothing clinical.
        "ALTER TABLE app_user ADD COLUMN clinician BOOLEAN NOT NULL DEFAULT TRUE",
        # Notes by this user wait in their supervisor's review queue for a co-signature.
        "ALTER TABLE app_user ADD COLUMN requires_supervision BOOLEAN NOT NULL DEFAULT FALSE",
        "ALTER TABLE app_user ADD COLUMN supervisor_id INTEGER NULL",
    ):
        db.execute_sql(sql)
