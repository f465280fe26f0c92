"""Malformed requests to the bundle's service: each is a 4xx whose JSON body names the problem.

The defects a schemathesis run found (issue 13), each a 500 or a wrong 200 before: a NaN in a
non-nullable field (the 422 echoed the NaN back and JSON could not encode it), a text/plain
body, a body of any size, 1e39 in a float32 field, a record whose answer is not finite.
The service runs with uvicorn on a loopback port, on titanic (numbers, texts, flags, nullable
columns) and diamonds (a regressor); raw bytes go through http.client, because urllib and
json.dumps would not send every malformed body.
"""

from __future__ import annotations

import http.client
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest
from _serve_runs import Service, import_service, service_fixture

pytestmark = pytest.mark.shared_data

JSON = {"Content-Type": "application/json"}
# Titanic's first passenger (row 0, held out with this seed), as the service takes him.
BRAUND = {
    "pclass": 3, "sex": "male", "age": 22, "sibsp": 1, "parch": 0, "fare": 7.25,
    "embarked": "S", "class": "Third", "who": "man", "adult_male": True, "deck": None,
    "embark_town": "Southampton", "alone": False,
}  # fmt: skip
FLOAT32_RANGE = "(-3.402823e+38 to 3.402823e+38)"
SMALL_LIMIT = 2048


titanic = service_fixture("titanic")
diamonds = service_fixture("diamonds")
small_limit = service_fixture("titanic", {"MAX_BODY_BYTES": str(SMALL_LIMIT)})


def send(
    service: Service,
    body: bytes | Iterable[bytes],
    headers: Mapping[str, str] = JSON,
    method: str = "POST",
    path: str = "/predict",
) -> tuple[int, dict[str, str], Any]:
    """Status, headers (lower-case names) and parsed JSON body; an iterable body goes chunked."""
    connection = http.client.HTTPConnection("127.0.0.1", service.port, timeout=30)
    try:
        chunked = not isinstance(body, bytes)
        extra = {"Transfer-Encoding": "chunked"} if chunked else {}
        connection.request(method, path, body=body, headers={**headers, **extra},
                           encode_chunked=chunked)  # fmt: skip
        response = connection.getresponse()
        answer = response.read()
        names = {name.lower(): value for name, value in response.getheaders()}
    finally:
        connection.close()
    assert names["content-type"] == "application/json"
    return response.status, names, json.loads(answer)


def with_value(field: str, literal: str) -> bytes:
    """Two records, the second with `literal` as `field`'s raw JSON text (NaN, 1e400...)."""
    text = json.dumps({"records": [BRAUND, {**BRAUND, field: "@@"}]})
    return text.replace('"@@"', literal).encode()


def one_error(answer: Any) -> tuple[dict[str, Any], str]:
    """The ErrorResponse body's only problem and its line, checked for the declared shape."""
    assert set(answer) == {"detail", "errors"}
    (item,) = answer["detail"]
    (line,) = answer["errors"]
    assert set(item) <= {"loc", "msg", "type", "input"}
    return item, line


def test_the_titanic_columns_are_as_these_tests_assume(titanic: tuple[Path, Service]) -> None:
    folder, service = titanic
    columns = json.loads((folder / "schema.json").read_text(encoding="utf-8"))["columns"]
    kinds = {c["name"]: (c["type"], c["nullable"]) for c in columns}
    assert kinds["fare"] == ("float", False)
    assert kinds["age"] == ("float", True)
    assert kinds["sex"] == ("string", False)
    assert kinds["adult_male"] == ("bool", False)
    status, _, answer = send(service, json.dumps({"records": [BRAUND]}).encode())
    assert status == 200
    assert answer["predictions"][0]["prediction"] == 0


def out_of_range(value: float) -> str:
    return f"{value} is outside the range of float32, the model's input type {FLOAT32_RANGE}"


NEEDS_VALUE = "the column needs a value"


@pytest.mark.parametrize(
    ("field", "literal", "kind", "value", "message"),
    [
        ("fare", "NaN", "finite_number", "NaN",
         f"Input should be a finite number, not NaN: {NEEDS_VALUE}"),
        ("fare", "Infinity", "finite_number", "Infinity",
         f"Input should be a finite number, not Infinity: {NEEDS_VALUE}"),
        ("pclass", "-Infinity", "finite_number", "-Infinity",
         f"Input should be a finite number, not -Infinity: {NEEDS_VALUE}"),
        # A nullable column: NaN is not JSON, null says "missing".
        ("age", "NaN", "finite_number", "NaN",
         "Input should be a finite number, not NaN: send null for a missing value"),
        # A JSON number too large for a float64 reads as Infinity.
        ("fare", "1e400", "finite_number", "Infinity",
         f"Input should be a finite number, not Infinity: {NEEDS_VALUE}"),
        # float32 is the model's input type: 1e39 reached the model as Infinity before.
        ("fare", "1e39", "less_than_equal", 1e39, out_of_range(1e39)),
        ("age", "-1e39", "greater_than_equal", -1e39, out_of_range(-1e39)),
        ("fare", "1e300", "less_than_equal", 1e300, out_of_range(1e300)),
        # An integer beyond float64: pydantic says "not a valid number"; it is out of range.
        ("sibsp", "1" + "0" * 400, "float_type", 10**400, out_of_range(10**400)),
    ],
    ids=["NaN", "Infinity", "-Infinity", "NaN-nullable", "1e400", "1e39", "-1e39", "1e300",
         "10**400"],
)  # fmt: skip
def test_nan_infinity_and_numbers_beyond_float32_are_422_naming_the_field(
    titanic: tuple[Path, Service], field: str, literal: str, kind: str, value: Any, message: str
) -> None:
    _, service = titanic
    status, _, answer = send(service, with_value(field, literal))
    assert status == 422
    item, line = one_error(answer)
    assert item == {"loc": ["body", "records", 1, field], "msg": message, "type": kind,
                    "input": value}  # fmt: skip
    assert line == f"records.1.{field}: {message}"


def test_the_largest_float32_is_served(titanic: tuple[Path, Service]) -> None:
    _, service = titanic
    status, _, answer = send(service, with_value("fare", "3.4028234663852886e+38"))
    assert status == 200
    second = answer["predictions"][1]["probabilities"]
    assert sum(second.values()) == pytest.approx(1.0)


def test_a_lone_surrogate_is_422_and_echoed_escaped(titanic: tuple[Path, Service]) -> None:
    """A JSON escape such as "\\ud800" has no UTF-8 form: onnxruntime failed on it (a 500)."""
    _, service = titanic
    status, _, answer = send(service, with_value("sex", '"\\ud800"'))
    assert status == 422
    item, line = one_error(answer)
    assert item["loc"] == ["body", "records", 1, "sex"]
    assert item["type"] == "value_error"  # refused as its text is read (raw_input)
    assert item["input"] == "\\ud800"
    assert line == "records.1.sex: Input should be Unicode text; \\ud800 holds a lone surrogate"


@pytest.mark.parametrize(
    ("headers", "shown"),
    [
        ({"Content-Type": "text/plain"}, "not 'text/plain'"),
        ({"Content-Type": "application/x-www-form-urlencoded"},
         "not 'application/x-www-form-urlencoded'"),
        ({}, "and the request has none"),
    ],
)  # fmt: skip
def test_a_body_that_is_not_declared_json_is_415(
    titanic: tuple[Path, Service], headers: dict[str, str], shown: str
) -> None:
    """The body itself is a good request: only its Content-Type is wrong (500 before)."""
    _, service = titanic
    body = json.dumps({"records": [BRAUND]}).encode()
    status, _, answer = send(service, body, headers)
    assert status == 415
    item, line = one_error(answer)
    message = f"Content-Type should be application/json, {shown}"
    assert item == {
        "loc": ["header", "content-type"],
        "msg": message,
        "type": "unsupported_media_type",
    }
    assert line == f"header.content-type: {message}"


def test_json_with_a_charset_parameter_is_served(titanic: tuple[Path, Service]) -> None:
    _, service = titanic
    body = json.dumps({"records": [BRAUND]}).encode()
    status, _, answer = send(service, body, {"Content-Type": "Application/JSON; charset=utf-8"})
    assert status == 200
    assert len(answer["predictions"]) == 1


def test_a_body_above_max_body_bytes_is_413(small_limit: tuple[Path, Service]) -> None:
    _, service = small_limit
    records = [BRAUND] * 3
    fits = json.dumps({"records": records}).encode()
    assert len(fits) < SMALL_LIMIT
    status, _, answer = send(service, fits)
    assert status == 200
    assert len(answer["predictions"]) == 3
    body = json.dumps({"records": records * 4}).encode()
    assert len(body) > SMALL_LIMIT
    status, _, answer = send(service, body)
    assert status == 413
    item, line = one_error(answer)
    message = (
        f"the body ({len(body)} bytes) is larger than MAX_BODY_BYTES ({SMALL_LIMIT} bytes): "
        "send fewer records per request"
    )
    assert item == {"loc": ["body"], "msg": message, "type": "body_too_large"}
    assert line == f"body: {message}"


def test_a_chunked_body_is_counted_as_it_arrives(small_limit: tuple[Path, Service]) -> None:
    """No Content-Length to check: the service counts the chunks and stops at the limit."""
    _, service = small_limit
    body = json.dumps({"records": [BRAUND] * 12}).encode()
    chunks = [body[i : i + 500] for i in range(0, len(body), 500)]
    status, _, answer = send(service, iter(chunks))
    assert status == 413
    item, _ = one_error(answer)
    assert item["msg"] == (
        f"the body is larger than MAX_BODY_BYTES ({SMALL_LIMIT} bytes): send fewer records per "
        "request"
    )
    small = json.dumps({"records": [BRAUND]}).encode()
    status, _, answer = send(service, iter([small[:100], small[100:]]))
    assert status == 200
    assert len(answer["predictions"]) == 1


def test_the_default_limit_is_10_mib_and_refused_before_the_body_is_sent(
    titanic: tuple[Path, Service],
) -> None:
    """A declared Content-Length above the limit is answered at once: not one byte is read."""
    _, service = titanic
    connection = http.client.HTTPConnection("127.0.0.1", service.port, timeout=30)
    try:
        connection.putrequest("POST", "/predict")
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Content-Length", str(10 * 1024 * 1024 + 1))
        connection.endheaders()
        response = connection.getresponse()
        answer = json.loads(response.read())
    finally:
        connection.close()
    assert response.status == 413
    item, _ = one_error(answer)
    assert item["msg"] == (
        "the body (10485761 bytes) is larger than MAX_BODY_BYTES (10485760 bytes): send fewer "
        "records per request"
    )


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"records": [\xff]}',
         "'utf-8' codec can't decode byte 0xff in position 13: invalid start byte"),
        (b"[" * 100_000 + b"]" * 100_000,
         "maximum recursion depth exceeded while decoding a JSON array from a unicode string"),
    ],
)  # fmt: skip
def test_a_body_that_is_not_json_text_is_400(
    titanic: tuple[Path, Service], body: bytes, reason: str
) -> None:
    _, service = titanic
    status, _, answer = send(service, body)
    assert status == 400
    item, line = one_error(answer)
    message = f"the body cannot be read as JSON: {reason}"
    assert item == {"loc": ["body"], "msg": message, "type": "body_unreadable"}
    assert line == f"body: {message}"


def test_a_json_syntax_error_is_422_with_its_position(titanic: tuple[Path, Service]) -> None:
    _, service = titanic
    status, _, answer = send(service, b'{"records": [')
    assert status == 422
    item, line = one_error(answer)
    assert item == {
        "loc": ["body", 13], "msg": "JSON decode error: Expecting value (character 13)",
        "type": "json_invalid",
    }  # fmt: skip
    assert line == "body: JSON decode error: Expecting value (character 13)"


def test_unknown_paths_and_methods_answer_in_the_same_form(titanic: tuple[Path, Service]) -> None:
    _, service = titanic
    status, headers, answer = send(service, b"", {}, method="DELETE")
    assert (status, headers["allow"]) == (405, "POST")
    assert one_error(answer) == (
        {"loc": ["method"], "msg": "DELETE /predict: Method Not Allowed",
         "type": "method_not_allowed"},
        "method: DELETE /predict: Method Not Allowed",
    )  # fmt: skip
    status, _, answer = send(service, b"", {}, method="GET", path="/nowhere")
    assert status == 404
    assert one_error(answer)[0]["msg"] == "GET /nowhere: Not Found"


def test_a_record_the_model_answers_with_infinity_is_422(
    diamonds: tuple[Path, Service],
) -> None:
    """Ridge on diamonds: a 1e36-carat stone is a float32 (the schema takes it), but the
    model's float32 sum overflows; a 200 with `null` for the price would break the schema."""
    folder, service = diamonds
    example = json.loads((folder / "example_request.json").read_text(encoding="utf-8"))
    good = example["records"][0]
    status, _, answer = send(service, json.dumps({"records": [good, good]}).encode())
    assert status == 200
    body = json.dumps({"records": [good, {**good, "carat": 1e36}]}).encode()
    status, _, answer = send(service, body)
    assert status == 422
    item, line = one_error(answer)
    message = (
        "the model's prediction for this record came out as inf: its numbers are too far "
        "outside the training data for the model's float32 arithmetic"
    )
    assert item == {"loc": ["body", "records", 1], "msg": message, "type": "non_finite_output"}
    assert line == f"records.1: {message}"


def test_openapi_declares_every_answer_predict_gives(titanic: tuple[Path, Service]) -> None:
    _, service = titanic
    status, _, openapi = send(service, b"", {}, method="GET", path="/openapi.json")
    assert status == 200
    responses = openapi["paths"]["/predict"]["post"]["responses"]
    assert sorted(responses) == ["200", "400", "413", "415", "422"]
    for code in ("400", "413", "415", "422"):
        schema = responses[code]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorResponse"}
    assert "MAX_BODY_BYTES (10485760 bytes)" in responses["413"]["description"]
    schemas = openapi["components"]["schemas"]
    assert schemas["ErrorResponse"]["required"] == ["detail", "errors"]
    assert "HTTPValidationError" not in schemas
    # fare: a JSON number in float32's range, or a number written as in titanic.csv (never
    # missing there, so no null and no NA token).
    number, text = schemas["Record"]["properties"]["fare"]["anyOf"]
    assert (number["type"], number["minimum"], number["maximum"]) == (
        "number", -3.4028234663852886e38, 3.4028234663852886e38
    )  # fmt: skip
    assert text["type"] == "string" and re.fullmatch(text["pattern"], " 7.25 ")
    assert not re.fullmatch(text["pattern"], "NA") and not re.fullmatch(text["pattern"], "1e5")
    prediction = schemas["Prediction"]
    assert prediction["required"] == ["prediction", "probabilities"]
    assert prediction["properties"]["prediction"]["enum"] == [0, 1]
    probabilities = schemas["Probabilities"]
    assert probabilities["required"] == ["0", "1"]
    assert probabilities["additionalProperties"] is False


def test_a_regressor_declares_a_number_and_no_probabilities(
    diamonds: tuple[Path, Service],
) -> None:
    _, service = diamonds
    status, _, openapi = send(service, b"", {}, method="GET", path="/openapi.json")
    assert status == 200
    prediction = openapi["components"]["schemas"]["Prediction"]
    assert prediction["required"] == ["prediction"]
    assert list(prediction["properties"]) == ["prediction"]
    assert prediction["properties"]["prediction"]["type"] == "number"


@pytest.mark.parametrize(("variable", "value"), [("MAX_BODY_BYTES", "ten"), ("MAX_RECORDS", "0")])
def test_a_bad_limit_in_the_environment_stops_the_start(
    titanic: tuple[Path, Service], variable: str, value: str
) -> None:
    folder, _ = titanic
    done = import_service(folder, {variable: value})
    assert done.returncode != 0
    assert f"RuntimeError: {variable}='{value}' is not a positive whole number" in done.stderr
