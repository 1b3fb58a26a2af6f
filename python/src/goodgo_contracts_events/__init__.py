"""GoodGo's event contract for Python: validate, parse and create the envelopes on GoodGo's Redis Streams.

The very same ``asyncapi.yaml`` and JSON Schemas as the TypeScript package, shipped in ``contract/``;
the same verdict as the TypeScript package on every input (the shared vectors prove it).

>>> from goodgo_contracts_events import parse_envelope, validate_envelope, create_envelope
"""

from typing import TYPE_CHECKING, Any

from ._cloud_event import CLOUD_EVENT_SOURCE_PREFIX, from_cloud_event, safe_from_cloud_event, to_cloud_event
from ._envelope import EVENT_ENVELOPE_SCHEMA_VERSION, NO_TRACE_ID, create_envelope, format_timestamp
from ._errors import EventValidationError, ValidationIssue
from ._generated.contract_data import (
    EVENT_LIFECYCLE,
    EVENT_PAYLOAD_SCHEMA_IDS,
    EVENT_PAYLOAD_VERSIONS,
    EVENT_STREAM_KEYS,
    EVENT_TYPES,
    EventType,
)
from ._uuid_v7 import UuidV7Generator, is_uuidv7, uuidv7, uuidv7_timestamp
from ._validate import Lifecycle, Mode, ValidationResult, parse_envelope, safe_parse_envelope, validate_envelope

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

    from .models import EventEnvelope, KnownEvent


def __getattr__(name: str) -> Any:
    """``__version__`` and the model types, loaded on first use: import costs the same at 3 types as at 300."""
    if name == "__version__":
        from importlib.metadata import version

        return version("goodgo-contracts-events")
    if name in ("EventEnvelope", "KnownEvent"):
        from . import models

        return getattr(models, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def contract_files() -> "Traversable":
    """The packaged contract: ``asyncapi.yaml`` and ``schemas/``, byte for byte the repository's.

    >>> (contract_files() / "schemas" / "envelope.schema.json").read_text()[:1]
    '{'
    """
    from importlib.resources import files

    return files(__package__) / "contract"


__all__ = [
    "CLOUD_EVENT_SOURCE_PREFIX",
    "EVENT_ENVELOPE_SCHEMA_VERSION",
    "EVENT_LIFECYCLE",
    "EVENT_PAYLOAD_SCHEMA_IDS",
    "EVENT_PAYLOAD_VERSIONS",
    "EVENT_STREAM_KEYS",
    "EVENT_TYPES",
    "NO_TRACE_ID",
    "EventEnvelope",
    "EventType",
    "EventValidationError",
    "KnownEvent",
    "Lifecycle",
    "Mode",
    "UuidV7Generator",
    "ValidationIssue",
    "ValidationResult",
    "contract_files",
    "create_envelope",
    "format_timestamp",
    "from_cloud_event",
    "is_uuidv7",
    "parse_envelope",
    "safe_from_cloud_event",
    "safe_parse_envelope",
    "to_cloud_event",
    "uuidv7",
    "uuidv7_timestamp",
    "validate_envelope",
]
