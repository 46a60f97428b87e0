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
    severity: str = "error"  # "warning": printed, but the data still validates

    def __post_init__(self):
        # A message quotes values from the data: one line, of readable length, whatever they hold.
        object.__setattr__(self, "message", one_line(self.message))
        if not self.path.isprintable():  # a file name may hold a line break, too
            object.__setattr__(self, "path", "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in self.path))

    def __str__(self) -> str:
        level = "warning: " if self.severity == "warning" else ""
        return f"{self.path}:{self.line}:{self.col}: {level}{self.rule}: {self.message}"

    def github(self) -> str:
        """A GitHub Actions annotation line, shown on the pull request's diff."""
        msg = self.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::{self.severity} file={self.path},line={self.line},col={self.col},title={self.rule}::{msg}"


def errors(problems) -> list[Problem]:
    """The problems that make data invalid; warnings are left out."""
    return [p for p in problems if p.severity == "error"]


MAX_MESSAGE = 600


def one_line(text: str) -> str:
    text = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)
    # a long quoted value is cut in the middle: the end of a message says what to do
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE // 2] + " … " + text[-MAX_MESSAGE // 2:]


class DataError(Exception):
    """Raised by builds when the corpus has problems; carries all of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
