#!/usr/bin/env python3
"""Validates chm's OpenAPI document (Sources/ClearingHouseServer/Resources/openapi.json, or
the path given): the document against the OpenAPI 3.1 specification (openapi-spec-validator),
then every example it gives against the schema beside it, and every $ref against its target.

    python3 Tests/api/validate_spec.py [openapi.json]

Exits 1 naming each problem. Needs the pip package openapi-spec-validator (which brings
jsonschema and openapi-schema-validator).
"""
import json
import pathlib
import sys

from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

here = pathlib.Path(__file__).resolve().parent
path = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else here.parent.parent / "Sources/ClearingHouseServer/Resources/openapi.json"
document = json.loads(path.read_text(encoding="utf-8"))
problems = []

try:
    validate(document)
except Exception as error:  # the validator's own error types vary between versions
    message = str(error).split(" within {")[0].splitlines()[0][:400]  # (some errors quote the whole document)
    problems.append(f"not a valid OpenAPI 3.1 document: {message}")

# Every $ref resolves.
def walk(node, where):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/"):
                target = document
                for part in value[2:].split("/"):
                    if not isinstance(target, dict) or part not in target:
                        problems.append(f"{where}: $ref {value} does not resolve")
                        break
                    target = target[part]
            walk(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            walk(value, f"{where}/{index}")

walk(document, "#")

# Examples match their schemas (the schemas' $refs resolve against the document).
registry = Registry().with_resource("urn:chm:openapi", Resource(contents=document, specification=DRAFT202012))

def check(schema, value, where):
    validator = OAS31Validator(schema, registry=registry)
    for error in validator.iter_errors(value):
        problems.append(f"{where}: example does not match its schema: {error.message}")

def absolute(schema):
    """The schema with document-local $refs made absolute, so they resolve through the registry."""
    if isinstance(schema, dict):
        return {k: ("urn:chm:openapi" + v if k == "$ref" and isinstance(v, str) and v.startswith("#") else absolute(v)) for k, v in schema.items()}
    if isinstance(schema, list):
        return [absolute(v) for v in schema]
    return schema

def resolve(node):
    """The object a local $ref names ({} when it names nothing: reported above)."""
    while isinstance(node, dict) and "$ref" in node and len(node) == 1:
        target = document
        for part in node["$ref"][2:].split("/"):
            if not isinstance(target, dict) or part not in target:
                return {}
            target = target[part]
        node = target
    return node

def check_media(media, where):
    schema = absolute(media.get("schema", {}))
    if "example" in media:
        check(schema, media["example"], where)
    for name, example in media.get("examples", {}).items():
        check(schema, resolve(example).get("value"), f"{where}/examples/{name}")

for route, item in document.get("paths", {}).items():
    for method, operation in item.items():
        if not isinstance(operation, dict) or method == "parameters":
            continue
        where = f"{method.upper()} {route}"
        body = resolve(operation.get("requestBody", {}))
        for media_type, media in body.get("content", {}).items():
            check_media(media, f"{where} body {media_type}")
        for status, response in operation.get("responses", {}).items():
            for media_type, media in resolve(response).get("content", {}).items():
                check_media(media, f"{where} {status} {media_type}")
for name, parameter in document.get("components", {}).get("parameters", {}).items():
    schema = absolute(parameter.get("schema", {}))
    if "example" in parameter:
        check(schema, parameter["example"], f"parameter {name}")
    for key, example in parameter.get("examples", {}).items():
        check(schema, example.get("value"), f"parameter {name} example {key}")
for name, schema in document.get("components", {}).get("schemas", {}).items():
    for index, example in enumerate(schema.get("examples", [])):
        check(absolute(schema), example, f"schema {name} example {index}")

for problem in problems:
    print(f"{path}: {problem}", file=sys.stderr)
if problems:
    sys.exit(1)
print(f"{path}: a valid OpenAPI 3.1 document; every $ref resolves and every example matches its schema")
