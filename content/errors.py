"""Errors raised when content files are invalid."""

from __future__ import annotations


class ContentError(Exception):
    """A content file is invalid: names the file, the path inside it and the problem."""

    def __init__(self, file: str, path: str, problem: str) -> None:
        self.file = file
        self.path = path
        self.problem = problem
        super().__init__(f"{file}: {path}: {problem}" if path else f"{file}: {problem}")
