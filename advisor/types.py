"""The advisor's public data types: what goes into a decision and what comes out."""

# No `from __future__ import annotations` in this module: pydantic would read each field's type
# back from its string (a compile and an eval apiece), which costs milliseconds of every start.

import math
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator, model_validator

Capability = Literal["vision", "audio", "tools", "json", "streaming"]
CAPABILITIES: tuple[str, ...] = ("vision", "audio", "tools", "json", "streaming")
Budget = Literal["low", "medium", "high"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Constraints(_Strict):
    """Hard and soft limits a caller puts on the choice of model."""

    budget: Budget | None = None
    needs: frozenset[Capability] = frozenset()
    max_price: float | None = Field(default=None, gt=0, description="USD per 1M blended tokens (3:1 input:output); inf means no limit")
    exclude: frozenset[str] = frozenset()
    allow: frozenset[str] = frozenset()
    min_context: int | None = Field(default=None, gt=0, le=10**9, description="tokens the prompt needs; smaller context windows are excluded")


    @field_validator("max_price")
    @classmethod
    def _a_number(cls, price: float | None) -> float | None:
        if price is not None and math.isnan(price):
            raise ValueError("max_price is not a number")
        return price


# The defaults, built without validation: `Constraints()` would build the model's validator
# at import, which costs every start that never validates constraints (most CLI runs).
NO_CONSTRAINTS = Constraints.model_construct()


class Task(_Strict):
    """A task description plus its constraints."""

    text: str
    constraints: Constraints = NO_CONSTRAINTS

    @field_validator("text")
    @classmethod
    def _not_blank(cls, text: str) -> str:
        if not text.strip():
            raise ValueError("the task is empty")
        return text


class Evidence(_Strict):
    """A span of the task that made a signal fire: task[start:end] == text."""

    signal: str
    text: str
    start: int
    end: int


class Citation(_Strict):
    """A catalog figure a rule cites, rendered with its numbers and source."""

    figure: str
    text: str


class Firing(_Strict):
    """A rule that fired, with what it did and the words that made it fire."""

    rule: str
    model: str | None
    effect: Literal["support", "oppose", "require"]
    weight: float
    because: str
    evidence: list[Evidence] = []
    citations: list[Citation] = []
    counted: bool = True  # False when a heavier rule of the same group already counted


class Alternative(_Strict):
    """A model that was allowed but lost, and the deciding difference."""

    model: str
    score: float
    why_not: str


class Exclusion(_Strict):
    """A model removed by a hard constraint before scoring."""

    model: str
    reason: str


class Counterfactual(_Strict):
    """A smallest change to the input that would change the recommendation."""

    change: str
    model: str


class Recommendation(_Strict):
    """The advisor's answer: the model to use, how to call it, and why."""

    model: str
    api_model: str
    params: dict[str, str] = {}
    confidence: float
    score: float
    default_used: bool = False
    fired: list[Firing] = []
    alternatives: list[Alternative] = []
    excluded: list[Exclusion] = []
    warnings: list[str] = []
    counterfactuals: list[Counterfactual] = []
    token_limit_param: Literal["max_tokens", "max_completion_tokens"] = "max_tokens"
    accepts_temperature: bool = True

    @model_validator(mode="before")
    @classmethod
    def _drop_rendered(cls, data: Any) -> Any:
        # `explanation` is derived; accept it back from JSON so dumps round-trip.
        if isinstance(data, dict) and "explanation" in data:
            data = {k: v for k, v in data.items() if k != "explanation"}
        return data

    @computed_field  # type: ignore[prop-decorator]
    @cached_property
    def explanation(self) -> str:
        """The human explanation, rendered on first use (routing itself never pays for it)."""
        from .explain import render_text

        return render_text(self)

    def updated(self, **changes: Any) -> "Recommendation":
        """A copy with some fields changed; its explanation is rendered afresh when asked for."""
        copy = self.model_copy(update=changes)
        copy.__dict__.pop("explanation", None)  # a cached rendering of the old fields
        return copy

    def request_params(self, max_tokens: int | None = None, temperature: float | None = None) -> dict[str, object]:
        """Keyword arguments for a chat-completions call, with nothing the model rejects."""
        params: dict[str, object] = {"model": self.api_model, **self.params}
        if max_tokens is not None:
            params[self.token_limit_param] = max_tokens
        if temperature is not None and self.accepts_temperature:
            params["temperature"] = temperature
        return params
