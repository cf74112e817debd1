"""The newsroom's HTTP face inside Airflow's api-server: a filing API for a CMS (``/newsroom``).

:mod:`newsroom.web.plugin` registers it through the ``airflow.plugins`` entry point;
:mod:`newsroom.web.app` holds the routes, :mod:`newsroom.web.guard` who may call them and how
often. Nothing here imports spaCy: the api-server loads it at start.
"""
