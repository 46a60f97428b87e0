"""Problems found in the data, and the two ways they are printed."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    path: str  # relative to the project root, with forward slashes
    line: int  # 1-based
    col: int  # 1-based
    rule: str  # stable rule id, e.g. "ref-unresolved"
    message: str  # names the field and says what to do
    level: str = "error"  # or "warning": reported, but the data is still valid (exit 0)

    def __str__(self) -> str:
        level = "warning: " if self.level == "warning" else ""
        return f"{self.path}:{self.line}:{self.col}: {level}{self.rule}: {self.message}"

    def github(self) -> str:
        """A GitHub Actions annotation line, shown on the pull request's diff."""
        msg = self.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::{self.level} file={self.path},line={self.line},col={self.col},title={self.rule}::{msg}"


class DataError(Exception):
    """Raised by builds when the corpus has problems; carries all of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
