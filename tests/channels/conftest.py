"""The ``fake`` fixture: each platform's fake in turn, for the tests every channel must pass."""

from __future__ import annotations

import pytest

from tests.support.channels import PLATFORMS
from tests.support.fakes import FakePlatform


@pytest.fixture(params=PLATFORMS)
def fake(request: pytest.FixtureRequest) -> FakePlatform:
    found = request.getfixturevalue(f"{request.param}_fake")
    assert isinstance(found, FakePlatform)
    return found
