"""A posted daily record checked against the calibration ``daily`` schema.

The ranges and checks are calibration's: the record goes through
:func:`calibration.schema.check_table`, the code a squad's files go through in
:func:`calibration.read_table` (so no range is written twice); this module adds what
JSON adds:
each field's JSON type (a number is a number, not a string or a boolean), unknown fields,
and the service's own fields: ``source`` (the natural key is athlete, date and source),
an optional ``readiness`` score (the ``tests`` table's ``readiness`` kind and range) and
an optional ``test`` (``{kind, value, unit}``, a ``tests`` row). Every error is a
:class:`RecordError` naming the field.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re

import numpy as np
import pandas as pd

from calibration.schema import SCHEMAS, DataError, check_table

DAILY = {c.name: c for c in SCHEMAS["daily"] if c.name != "athlete_id"}
EXTRA = ("source", "readiness", "test", "athlete_id")
_SOURCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
_JSON_TYPES = {"float": (int, float), "int": (int, float), "str": (str,), "id": (str,),
               "date": (str,), "time": (str,), "bool": (bool,)}


class RecordError(ValueError):
    """A bad field of a posted record."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field}: {message}")


def validate_rows(records: list[dict], table: str) -> list[dict]:
    """Rows of a calibration table checked by :func:`calibration.schema.check_table` (the
    checks of ``read_table``, given the cells as a CSV file would give them):
    ``{column: parsed value}`` each (None where empty).

    Raises:
        DataError: as read_table's, with ``file`` "body" and the 1-based row.
    """
    cols = [c.name for c in SCHEMAS[table]]
    raw = pd.DataFrame([[_cell(r.get(c)) for c in cols] for r in records], columns=cols,
                       dtype=str)
    frame = check_table(raw, table, file="body")
    out = []
    for row in frame.to_dict("records"):
        for k, v in row.items():
            if isinstance(v, np.generic):
                v = v.item()
            row[k] = None if v is None or (isinstance(v, float) and np.isnan(v)) else v
        out.append(row)
    return out


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return repr(v) if isinstance(v, float) else str(v)


def _json_type(name: str, value, kind: str) -> None:
    types = _JSON_TYPES[kind]
    if value is None:
        return
    if isinstance(value, bool) and bool not in types:
        raise RecordError(name, f"{value!r}: expected a JSON {_type_word(kind)}, not a boolean")
    if not isinstance(value, types):
        raise RecordError(name, f"{value!r}: expected a JSON {_type_word(kind)}")


def _type_word(kind: str) -> str:
    return {"float": "number", "int": "number", "bool": "boolean"}.get(kind, "string")


def parse_record(body, athlete_id: str) -> dict:
    """The record's parsed fields: the ``daily`` columns (date as ``datetime.date``,
    clock times as hours), ``source``, ``readiness`` and ``test_kind``/``test_value``.

    Raises:
        RecordError: naming the field.
    """
    if not isinstance(body, dict):
        raise RecordError("body", "expected a JSON object of daily-record fields")
    for name in body:
        if name not in DAILY and name not in EXTRA:
            raise RecordError(name, f"unknown field; expected fields {sorted(DAILY)} and "
                                    f"{sorted(EXTRA[:3])}")
    if "athlete_id" in body and body["athlete_id"] != athlete_id:
        raise RecordError("athlete_id", "differs from the athlete of the URL")
    for name, col in DAILY.items():
        if col.required and body.get(name) is None:
            raise RecordError(name, "missing, but the field is required")
        _json_type(name, body.get(name), col.kind)
    try:
        row = validate_rows([{**body, "athlete_id": athlete_id}], "daily")[0]
    except DataError as exc:
        raise RecordError(exc.column or "body", _without_row(exc)) from None
    out = {k: v for k, v in row.items() if k != "athlete_id"}
    out["date"] = dt.date.fromisoformat(str(np.datetime64(row["date"], "D")))
    source = body.get("source", "api")
    if not isinstance(source, str) or not _SOURCE.match(source):
        raise RecordError("source", f"{source!r}: expected an id of letters, digits and "
                                    "'.', '_', ':', '-', at most 64")
    out["source"] = source
    out["readiness"] = out["test_kind"] = out["test_value"] = None
    tests, fields = [], []  # readiness and the test: rows of the ``tests`` table
    if body.get("readiness") is not None:
        _json_type("readiness", body["readiness"], "float")
        tests.append({"kind": "readiness", "value": body["readiness"], "unit": "1"})
        fields.append("readiness")
    test = body.get("test")
    if test is not None:
        if not isinstance(test, dict) or set(test) != {"kind", "value", "unit"}:
            raise RecordError("test", "expected an object {kind, value, unit}")
        _json_type("test.value", test["value"], "float")
        _json_type("test.kind", test["kind"], "str")
        _json_type("test.unit", test["unit"], "str")
        tests.append(dict(test))
        fields.append("test")
    if tests:
        try:
            rows = validate_rows([{"athlete_id": athlete_id, "date": body["date"], **t}
                                  for t in tests], "tests")
        except DataError as exc:
            field = fields[(exc.row or 1) - 1]
            name = field if field == "readiness" else f"test.{exc.column}"
            raise RecordError(name, _without_row(exc)) from None
        for field, row in zip(fields, rows, strict=True):
            if field == "readiness":
                out["readiness"] = float(row["value"])
            else:
                out["test_kind"], out["test_value"] = row["kind"], float(row["value"])
    return out


def _without_row(exc: DataError) -> str:
    """The error as the body's: file "body", the column, no CSV row."""
    return str(DataError("body", None, exc.column, "")) + \
        str(exc)[len(str(DataError(exc.file, exc.row, exc.column, ""))):]


def digest(record: dict) -> str:
    """SHA-256 of the parsed record (what "the same record" means)."""
    text = json.dumps(record, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def stored_values(record: dict) -> dict:
    """The optional daily fields as stored (JSON)."""
    skip = {"date", "load", "load_kind", "source", "readiness", "test_kind", "test_value"}
    return {k: v for k, v in record.items() if k not in skip}


def json_schema() -> dict:
    """The request body's JSON schema (for the OpenAPI docs)."""
    kinds = {"float": "number", "int": "integer", "str": "string", "id": "string",
             "date": "string", "time": "string", "bool": "boolean"}
    props = {}
    for name, col in DAILY.items():
        p = {"type": kinds[col.kind], "description": col.source or col.kind}
        if col.minimum is not None:
            p["minimum"] = col.minimum
        if col.maximum is not None:
            p["maximum"] = col.maximum
        if col.choices:
            p["enum"] = list(col.choices)
        if col.kind == "date":
            p["format"] = "date"
        props[name] = p
    props["source"] = {"type": "string", "default": "api"}
    props["readiness"] = {"type": "number", "minimum": 0, "maximum": 10}
    props["test"] = {"type": "object", "properties": {"kind": {"type": "string"},
                                                      "value": {"type": "number"},
                                                      "unit": {"type": "string"}}}
    return {"type": "object", "additionalProperties": False, "properties": props,
            "required": [n for n, c in DAILY.items() if c.required]}
