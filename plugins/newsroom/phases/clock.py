"""Wall and CPU seconds of a task's consecutive phases, for its result (``make bench`` reads them)."""

from __future__ import annotations

import time


class PhaseClock:
    """Wall and CPU seconds (this process's, its threads' included) of consecutive phases; a phase
    lapped again adds up."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def lap(self, phase: str) -> dict[str, float]:
        """End ``phase`` now; the wall seconds of every phase so far."""
        wall, cpu = time.perf_counter(), time.process_time()
        self.wall[phase] = round(self.wall.get(phase, 0.0) + wall - self._wall, 3)
        self.cpu[phase] = round(self.cpu.get(phase, 0.0) + cpu - self._cpu, 3)
        self._wall, self._cpu = wall, cpu
        return self.wall

    def skip(self) -> None:
        """Start the next phase now, counting nothing for the time since the last lap."""
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def add(self, wall: dict[str, float], cpu: dict[str, float]) -> None:
        """Add another clock's phases (a process that did a share of the work)."""
        for phase, seconds in wall.items():
            self.wall[phase] = round(self.wall.get(phase, 0.0) + seconds, 3)
        for phase, seconds in cpu.items():
            self.cpu[phase] = round(self.cpu.get(phase, 0.0) + seconds, 3)
