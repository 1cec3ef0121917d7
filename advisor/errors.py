"""The advisor's small error hierarchy; each class knows the CLI exit code it maps to."""

from __future__ import annotations


class AdvisorError(Exception):
    """Base class of every error the advisor raises on purpose."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(AdvisorError):
    """The task or the constraints given to the router are unusable."""


class RuleFileError(AdvisorError):
    """A rule or catalog file is unreadable or invalid; the message names file, rule and field."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{path}: invalid\n{lines}" if len(problems) > 1 else f"{path}: {problems[0]}")


class EngineError(AdvisorError):
    """The rule engine refused a rule base or a task (a limit of durable-rules, not a user mistake)."""


class NoModelError(AdvisorError):
    """No model in the catalog meets the hard constraints."""

    exit_code = 3

    def __init__(self, reasons: dict[str, str]) -> None:
        self.reasons = reasons
        lines = "\n".join(f"  {model}: {why}" for model, why in reasons.items())
        super().__init__(f"no model meets the constraints:\n{lines}")
