"""Events as CloudEvents 1.0 (structured JSON format), both ways, losslessly: the TypeScript package's mapping.

https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/formats/json-format.md
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, cast

from ._errors import EventValidationError, ValidationIssue
from ._generated.contract_data import EVENT_PAYLOAD_SCHEMA_IDS
from ._validate import Lifecycle, Mode, ValidationResult, validate_envelope

CLOUD_EVENT_SOURCE_PREFIX = "urn:goodgo:producer:"
"""A CloudEvent's ``source`` is this prefix and the envelope's ``producer`` (an absolute URI)."""

# Envelope field -> CloudEvents attribute (lowercase letters and digits, at most 20: spec section 3.1.1).
_ATTRIBUTE = {
    "eventId": "id",
    "eventType": "type",
    "occurredAt": "time",
    "producer": "source",
    "traceId": "traceid",
    "schemaVersion": "schemaversion",
    "payload": "data",
}
_OWN = frozenset({"specversion", "datacontenttype", "dataschema", "envelopeextra", *_ATTRIBUTE.values()})
# Keyed by any str here: a CloudEvent's type may be one the contract does not know. A cast, not a
# copy: importing the package costs the same whatever the number of types.
_SCHEMA_IDS = cast("dict[str, str]", EVENT_PAYLOAD_SCHEMA_IDS)
_JSON_CONTENT = re.compile(r"^application/json(?:\s*;.*)?$", re.IGNORECASE)


def to_cloud_event(event: Mapping[str, Any]) -> dict[str, Any]:
    """The event as a CloudEvent dict (structured JSON format), as the TypeScript ``toCloudEvent`` makes it.

    ``id``, ``source`` (``urn:goodgo:producer:<producer>``), ``type``, ``time``, ``data`` from the
    envelope; ``dataschema`` the type's payload schema (absent for a type the contract does not
    know); the trace id and schema version as the extension attributes ``traceid`` and
    ``schemaversion``; envelope fields the contract does not define as JSON in ``envelopeextra``.
    Lossless: ``from_cloud_event`` gives the event back exactly. Validated first (consumer mode).

    >>> to_cloud_event(event)["source"]  # doctest: +SKIP
    'urn:goodgo:producer:payments-service'

    :raises EventValidationError: when ``event`` is not a valid event.
    """
    result = validate_envelope(event, "consumer")
    if not result.ok:
        raise EventValidationError(result.errors)
    e: Mapping[str, Any] = event
    ce: dict[str, Any] = {
        "specversion": "1.0",
        "id": e["eventId"],
        "source": CLOUD_EVENT_SOURCE_PREFIX + e["producer"],
        "type": e["eventType"],
        "time": e["occurredAt"],
        "datacontenttype": "application/json",
    }
    schema = _SCHEMA_IDS.get(e["eventType"])
    if schema is not None:
        ce["dataschema"] = schema
    ce["traceid"] = e["traceId"]
    ce["schemaversion"] = e["schemaVersion"]
    extra = {k: v for k, v in e.items() if k not in _ATTRIBUTE}
    if extra:
        # The same text as JavaScript's JSON.stringify: no spaces, non-ASCII as is.
        ce["envelopeextra"] = json.dumps(extra, separators=(",", ":"), ensure_ascii=False)
    ce["data"] = e["payload"]
    return ce


def safe_from_cloud_event(ce: object, mode: Mode = "consumer", lifecycle: Lifecycle = "contract") -> ValidationResult:
    """The event a CloudEvent (structured JSON, parsed) carries, validated as ``validate_envelope`` does; never raises.

    Each problem's ``path`` names the CloudEvent's attribute (``/data/amount``, ``/time``). Besides the
    envelope's rules: ``specversion`` 1.0, JSON data (no ``data_base64``), a ``source`` made by
    ``to_cloud_event``, a ``dataschema`` (when present) that is the type's payload schema, and in producer
    mode no attribute the envelope has no place for.

    >>> safe_from_cloud_event({"specversion": "0.3"}).errors[0].path
    '/specversion'
    """
    try:
        if not isinstance(ce, Mapping):
            return _failed(
                [_issue("", "type", {"type": "object"}, "must be a CloudEvent: a JSON object (structured JSON format)")]
            )
        errors: list[ValidationIssue] = []
        if ce.get("specversion") != "1.0":
            errors.append(
                _issue(
                    "/specversion",
                    "const",
                    {"allowedValue": "1.0"},
                    f'must be "1.0" (CloudEvents 1.0), not {_show(ce, "specversion")}',
                )
            )
        content = ce.get("datacontenttype")
        if "datacontenttype" in ce and not (isinstance(content, str) and _JSON_CONTENT.match(content)):
            errors.append(
                _issue(
                    "/datacontenttype",
                    "const",
                    {"allowedValue": "application/json"},
                    f"must be application/json, not {_show(ce, 'datacontenttype')}: "
                    "the data is the event's JSON payload",
                )
            )
        if "data_base64" in ce:
            errors.append(
                _issue(
                    "/data_base64",
                    "additionalProperties",
                    {"additionalProperty": "data_base64"},
                    "binary data is not an event payload: send the payload as JSON in data",
                )
            )
        source = ce.get("source")
        ours = isinstance(source, str) and source.startswith(CLOUD_EVENT_SOURCE_PREFIX)
        if "source" in ce and not ours:
            errors.append(
                _issue(
                    "/source",
                    "pattern",
                    {"pattern": "^" + CLOUD_EVENT_SOURCE_PREFIX},
                    f"must be {CLOUD_EVENT_SOURCE_PREFIX}<producer>, not {_show(ce, 'source')}",
                )
            )
        event_type = ce.get("type")
        expected = _SCHEMA_IDS.get(event_type) if isinstance(event_type, str) else None
        if "dataschema" in ce and expected is not None and ce["dataschema"] != expected:
            errors.append(
                _issue(
                    "/dataschema",
                    "const",
                    {"allowedValue": expected},
                    f"must be the payload schema of {event_type}, {expected}, not {_show(ce, 'dataschema')}",
                )
            )
        if mode == "producer":
            errors.extend(
                _issue(
                    f"/{name}",
                    "additionalProperties",
                    {"additionalProperty": name},
                    "is an attribute the envelope has no place for (producer mode)",
                )
                for name in ce
                if name not in _OWN and name != "data_base64"
            )
        envelope: dict[str, Any] = {}
        for field, attribute in _ATTRIBUTE.items():
            if attribute in ce:
                envelope[field] = ce[attribute]
        if "source" in ce:
            envelope["producer"] = source[len(CLOUD_EVENT_SOURCE_PREFIX) :] if isinstance(source, str) and ours else ""
        for key, value in _extra_fields(ce, errors).items():
            if key in _ATTRIBUTE:
                errors.append(
                    _issue(
                        "/envelopeextra",
                        "additionalProperties",
                        {"additionalProperty": key},
                        f"holds {key}, an envelope field that travels as the attribute {_ATTRIBUTE[key]}",
                    )
                )
            else:
                envelope[key] = value
        result = validate_envelope(envelope, mode, lifecycle)
        reported_source = any(e.path == "/source" for e in errors)

        def mapped(issues: tuple[ValidationIssue, ...]) -> list[ValidationIssue]:
            out = [_to_attribute(i) for i in issues]
            return [i for i in out if not (i.path == "/source" and reported_source)]

        if not result.ok:
            return _failed(errors + mapped(result.errors))
        if errors:
            return _failed(errors)
        return result._replace(warnings=tuple(mapped(result.warnings)))
    except Exception as e:  # hostile mappings (a __getitem__ that raises): report, never raise
        return _failed([_issue("", "exception", {}, f"could not be read: {e}")])


def from_cloud_event(ce: object, mode: Mode = "consumer", lifecycle: Lifecycle = "contract") -> dict[str, Any]:
    """``safe_from_cloud_event``, returning the event or raising.

    >>> from_cloud_event(to_cloud_event(event)) == event  # doctest: +SKIP
    True

    :raises EventValidationError: with every problem, each naming the CloudEvent's attribute.
    """
    result = safe_from_cloud_event(ce, mode, lifecycle)
    if not result.ok:
        raise EventValidationError(result.errors)
    return dict(result.event or {})


def _extra_fields(ce: Mapping[str, Any], errors: list[ValidationIssue]) -> dict[str, Any]:
    if "envelopeextra" not in ce:
        return {}
    value = ce["envelopeextra"]
    try:
        parsed = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        return parsed
    errors.append(
        _issue(
            "/envelopeextra",
            "type",
            {"type": "string"},
            "must be a JSON object in a string: the envelope fields the contract does not define",
        )
    )
    return {}


def _to_attribute(issue: ValidationIssue) -> ValidationIssue:
    if issue.keyword == "required" and issue.path == "":
        attribute = _ATTRIBUTE.get(str(issue.params.get("missingProperty")))
        if attribute is not None:
            return ValidationIssue(
                path="",
                keyword="required",
                message=f"must have required attribute '{attribute}'",
                params={"missingProperty": attribute},
            )
    parts = issue.path.split("/")
    if len(parts) > 1 and parts[1] in _ATTRIBUTE:
        return ValidationIssue(
            path="/".join(["", _ATTRIBUTE[parts[1]], *parts[2:]]),
            keyword=issue.keyword,
            message=issue.message,
            params=issue.params,
        )
    return issue


def _issue(path: str, keyword: str, params: dict[str, Any], message: str) -> ValidationIssue:
    return ValidationIssue(path=path, keyword=keyword, message=message, params=params)


def _failed(errors: list[ValidationIssue]) -> ValidationResult:
    return ValidationResult(ok=False, event=None, known=False, errors=tuple(errors))


def _show(ce: Mapping[str, Any], name: str) -> str:
    return json.dumps(ce[name], ensure_ascii=False, default=repr) if name in ce else "missing"
