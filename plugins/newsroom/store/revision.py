"""The schema revision this release needs: the head of ``newsroom/store/migrations/versions``.

A constant apart from the migrations, so that opening the store compares one string and loads no
Alembic (``newsroom.store.schema``); ``tests/store/test_migrations.py`` holds it equal to the
scripts' head, so a new migration without it (or it without one) fails the suite.
"""

HEAD = "0002"
