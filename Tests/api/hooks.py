"""Schemathesis hooks for chm's API tests (fuzz.py loads this file through SCHEMATHESIS_HOOKS).

POST /v1/records also reads JSON Lines (`application/x-ndjson`), a media type schemathesis has no
serializer for. The document describes that body as a string (the lines); a generated value that
is not a string (negative testing) goes out as JSON, one line per array item when it is an array,
which is how a client would write records as JSON Lines.
"""
import json

import schemathesis


@schemathesis.serializer("application/x-ndjson")
def json_lines(ctx, value):
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, list):
        return "".join(json.dumps(item) + "\n" for item in value).encode("utf-8")
    return (json.dumps(value) + "\n").encode("utf-8")
