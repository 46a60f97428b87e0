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

    def __post_init__(self):
        # A message quotes values from the data: one line, of readable length, whatever they hold.
        object.__setattr__(self, "message", one_line(self.message))
        if not self.path.isprintable():  # a file name may hold a line break, too
            object.__setattr__(self, "path", "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in self.path))

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.rule}: {self.message}"

    def github(self) -> str:
        """A GitHub Actions annotation line, shown on the pull request's diff."""
        msg = self.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::error file={self.path},line={self.line},col={self.col},title={self.rule}::{msg}"


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
