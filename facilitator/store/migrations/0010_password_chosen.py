"""Whether a user's password is their own: one an administrator gave them (a new account, a
reset) is known to that administrator, so they choose their own at their next sign-in before
anything else (services.accounts.change_own_password). Existing users' passwords count as
their own."""

from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column(
            "app_user",
            "password_chosen",
            BooleanField(default=True, constraints=[SQL("DEFAULT TRUE")]),
        )
    )
