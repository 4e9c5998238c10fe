"""Storage: peewee models, opening the database, key slots, migrations and every query."""
