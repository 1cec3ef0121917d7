"""The model catalog: prices, limits, capabilities, lifecycle and the launch figures rules cite."""

# No `from __future__ import annotations` in this module: pydantic would read each field's type
# back from its string (a compile and an eval apiece), which costs milliseconds of every start.

import datetime as dt
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from . import precompiled
from ._files import load_packaged, read_toml, validate
from .rules import FOLDER
from .types import CAPABILITIES

INPUT_SHARE = 0.75  # prices are blended at the launch's 3:1 input:output token mix


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Price(_Strict):
    """USD per 1M tokens."""

    input: float = Field(ge=0)
    cached_input: float | None = Field(default=None, ge=0)
    output: float = Field(ge=0)


class Limits(_Strict):
    context: int = Field(gt=0)
    max_output: int = Field(gt=0)


class Capabilities(_Strict):
    vision: bool = False
    audio: bool = False
    tools: bool = False
    json_: bool = Field(default=False, alias="json")
    streaming: bool = False
    reasoning_effort: list[Literal["low", "medium", "high", "minimal"]] = []
    instruction_role: Literal["system", "developer"] = "system"

    def has(self, capability: str) -> bool:
        return bool(getattr(self, "json_" if capability == "json" else capability))


class Lifecycle(_Strict):
    released: dt.date | None = None
    deprecated: dt.date | None = None
    shutdown: dt.date | None = None
    replacement: str | None = None
    source: str | None = None


class Model(_Strict):
    """One model as the catalog describes it."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.\-]*$")
    name: str
    api_model: str
    summary: str = ""
    knowledge_cutoff: str | None = None
    price: Price
    limits: Limits
    capabilities: Capabilities
    token_limit_param: Literal["max_tokens", "max_completion_tokens"] = "max_tokens"
    accepts_temperature: bool = True
    lifecycle: Lifecycle = Lifecycle.model_construct()  # no validator built at import for a default
    source: str = ""

    @property
    def blended_price(self) -> float:
        return round(INPUT_SHARE * self.price.input + (1 - INPUT_SHARE) * self.price.output, 4)

    @property
    def is_reasoning(self) -> bool:
        return bool(self.capabilities.reasoning_effort)


class Figure(_Strict):
    """A published benchmark figure; rules cite figures by id, never by restating numbers."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    benchmark: str
    measures: str
    source: str
    values: dict[str, float]
    unit: str = ""
    lower_is_better: bool = False
    decimals: int | None = Field(default=None, ge=0, le=4)
    labels: dict[str, str] = {}
    notes: dict[str, str] = {}

    def render(self, names: dict[str, str]) -> str:
        """'AIME '24: o3-mini (high) 87.3 vs GPT-4.5 36.7 vs GPT-4o 9.3 (GPT-4.5 launch post)'."""
        order = sorted(self.values, key=lambda m: self.values[m], reverse=not self.lower_is_better)
        parts = [self._one(m, names) for m in order]
        lower = ", lower is better" if self.lower_is_better else ""
        return f"{self.benchmark}: {' vs '.join(parts)} ({self.source}{lower})"

    def _one(self, model: str, names: dict[str, str]) -> str:
        label = self.labels.get(model, names.get(model, model))
        note = f" ({self.notes[model]})" if model in self.notes else ""
        value = self.values[model]
        shown = f"{value:g}" if self.decimals is None else f"{value:.{self.decimals}f}"
        return f"{label} {shown}{self.unit}{note}"


class Catalog(_Strict):
    """Every model the advisor may recommend, and the figures rules may cite."""

    model: list[Model]
    figure: list[Figure] = []
    default_model: str

    @model_validator(mode="after")
    def _consistent(self) -> "Catalog":
        ids = [m.id for m in self.model]
        _no_duplicates(ids, "model")
        _no_duplicates([f.id for f in self.figure], "figure")
        if self.default_model not in ids:
            raise ValueError(f"default_model {self.default_model!r} is not a model in this catalog")
        for figure in self.figure:
            unknown = sorted(set(figure.values) - set(ids))
            if unknown:
                raise ValueError(f"figure {figure.id!r} gives values for unknown models {unknown}")
        return self

    def get(self, model_id: str) -> Model:
        for model in self.model:
            if model.id == model_id:
                return model
        raise KeyError(model_id)

    @property
    def ids(self) -> list[str]:
        return [m.id for m in self.model]

    def names(self) -> dict[str, str]:
        return {m.id: m.name for m in self.model}

    def figures(self) -> dict[str, Figure]:
        return {f.id: f for f in self.figure}

    @cached_property
    def citations(self) -> dict[str, str]:
        """Each figure rendered once, as explanations quote it."""
        names = self.names()
        return {f.id: f.render(names) for f in self.figure}


def _no_duplicates(ids: list[str], kind: str) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise ValueError(f"duplicate {kind} id {item!r}")
        seen.add(item)


def default_catalog_path() -> Path:
    return FOLDER / "catalog.toml"


def load_catalog(path: Path | str | None = None) -> Catalog:
    """Load and validate a catalog file; by default the packaged one, from its validated form
    when precompiled (see precompiled)."""
    if path is None:
        return load_packaged(Catalog, default_catalog_path(), lambda data: precompiled.restore(Catalog, data))
    return validate(Catalog, read_toml(path), path)


__all__ = ["Catalog", "Model", "Figure", "load_catalog", "default_catalog_path", "CAPABILITIES"]
