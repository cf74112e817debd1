"""Development tooling, not shipped in the package: the stacks behind ``make run``, ``make demo`` and
``make scale-demo`` (:mod:`dev.devstack`, :mod:`dev.scalestack`), the local SMTP server
(:mod:`dev.devsmtp`) and loopback ports (:mod:`dev.ports`), also used by the end-to-end tests.

Run from the repository root (``python -m dev.devstack run``): ``dev`` and ``bench`` import
from there, ``newsroom`` from ``plugins/``.
"""
