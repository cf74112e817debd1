"""The Airflow plugin that mounts the filing API (:mod:`newsroom.web.app`) under ``/newsroom``.

Registered through the ``airflow.plugins`` entry point in ``pyproject.toml`` (``plugins/.airflowignore``
keeps Airflow's folder loader out of the package). Every Airflow process loads plugins (a task
process too, for macros), but only the api-server serves the app: it is built at its first request,
so loading the plugin costs a task nothing.
"""

from __future__ import annotations

from typing import Any

from airflow.plugins_manager import AirflowPlugin


class LazyApp:
    """An ASGI app that builds :func:`newsroom.web.app.create_app` when it is first called."""

    def __init__(self) -> None:
        self._app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self._app is None:
            from newsroom.web.app import create_app  # not at plugin load (tests/test_layers.py)

            self._app = create_app()
        await self._app(scope, receive, send)


class NewsroomPlugin(AirflowPlugin):
    name = "newsroom"
    fastapi_apps = [  # noqa: RUF012 - AirflowPlugin's own attributes, lists by design
        {"app": LazyApp(), "url_prefix": "/newsroom", "name": "Newsroom filing API"}
    ]
    # the desk (newsroom.web.desk) as a page of Airflow's UI, in its navigation, behind its login
    external_views = [  # noqa: RUF012
        {
            "name": "Newsroom desk",
            "href": "/newsroom/desk",
            "url_route": "newsroom-desk",
            "destination": "nav",
            "category": "browse",
        }
    ]
