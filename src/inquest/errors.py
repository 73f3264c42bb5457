"""One exception tree for inquest.

``InputError`` names where bad input is (file, row, field) and why; ``InputErrors`` collects
many of them, so that an import can report every problem at once and load nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass


class InquestError(Exception):
    """Root of every error inquest raises on purpose."""


@dataclass(frozen=True)
class InputProblem:
    """One problem in one place of an input: file, row (1-based data row), field, reason."""

    reason: str
    path: str | None = None
    row: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = []
        if self.path is not None:
            where.append(self.path)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field is not None:
            where.append(f"field {self.field!r}")
        return f"{', '.join(where)}: {self.reason}" if where else self.reason


class InputError(InquestError, ValueError):
    """Bad input: carries the file, row and field where it is, and the reason."""

    def __init__(
        self,
        reason: str,
        *,
        path: str | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.problem = InputProblem(reason=reason, path=path, row=row, field=field)
        super().__init__(str(self.problem))

    @property
    def path(self) -> str | None:
        return self.problem.path

    @property
    def row(self) -> int | None:
        return self.problem.row

    @property
    def field(self) -> str | None:
        return self.problem.field

    @property
    def reason(self) -> str:
        return self.problem.reason


class ProblemLog:
    """Input problems as they are found: keeps the first ``keep``, counts the rest.

    A hostile file can hold a problem on every row; keeping them all would cost memory and
    make reports nobody can read.
    """

    def __init__(self, keep: int = 100) -> None:
        self.keep = keep
        self.problems: list[InputProblem] = []
        self.omitted = 0

    def append(self, problem: InputProblem) -> None:
        """Keep ``problem`` if there is room, else count it."""
        if len(self.problems) < self.keep:
            self.problems.append(problem)
        else:
            self.omitted += 1

    def extend(self, problems: Iterable[InputProblem]) -> None:
        """Append each of ``problems``."""
        for p in problems:
            self.append(p)

    @property
    def total(self) -> int:
        """How many problems were found, kept or not."""
        return len(self.problems) + self.omitted

    def __bool__(self) -> bool:
        return self.total > 0

    def __len__(self) -> int:
        return self.total

    def __iter__(self) -> Iterator[InputProblem]:
        return iter(self.problems)


class InputErrors(InquestError, ValueError):
    """Several input problems found together; nothing was loaded.

    ``problems`` are the ones kept; ``omitted`` counts those found beyond them.
    """

    def __init__(
        self, problems: Iterable[InputProblem], *, limit: int = 20, omitted: int = 0
    ) -> None:
        self.problems = list(problems)
        self.omitted = omitted
        shown = "\n".join(f"  - {p}" for p in self.problems[:limit])
        more = self.total - min(limit, len(self.problems))
        tail = f"\n  ... and {more} more" if more > 0 else ""
        super().__init__(f"{self.total} problem(s) in the input:\n{shown}{tail}")

    @classmethod
    def from_log(cls, log: ProblemLog) -> InputErrors:
        """The problems of ``log``, with the count of those it did not keep."""
        return cls(log.problems, omitted=log.omitted)

    @property
    def total(self) -> int:
        """How many problems were found, including those not kept."""
        return len(self.problems) + self.omitted

    def __iter__(self) -> Iterator[InputProblem]:
        return iter(self.problems)

    def __len__(self) -> int:
        return len(self.problems)


class ConfigError(InquestError, ValueError):
    """A settings or scenario file is wrong: names the file, the key and the problem."""

    def __init__(self, reason: str, *, path: str | None = None, key: str | None = None) -> None:
        self.path = path
        self.key = key
        self.reason = reason
        where = ", ".join(x for x in (path, f"key {key!r}" if key else None) if x)
        super().__init__(f"{where}: {reason}" if where else reason)


class EstimationError(InquestError):
    """An estimate cannot be made from this input (e.g. the MLE does not exist)."""
