"""advisor: recommends an LLM for a task and explains, rule by rule, why.

    >>> from advisor import Router
    >>> Router().route("solve AIME problem").model
    'o3-mini'
"""

from ._collector import paused as _paused

with _paused():  # what importing makes stays alive: see _collector
    from .errors import AdvisorError, EngineError, InputError, NoModelError, RuleFileError
    from .router import Router
    from .types import (
        Alternative,
        Citation,
        Constraints,
        Evidence,
        Exclusion,
        Firing,
        Recommendation,
        Task,
    )

__version__ = "0.1.0"

__all__ = [
    "Router",
    "Task",
    "Constraints",
    "Recommendation",
    "Firing",
    "Evidence",
    "Citation",
    "Alternative",
    "Exclusion",
    "AdvisorError",
    "EngineError",
    "InputError",
    "NoModelError",
    "RuleFileError",
]
