#!/usr/bin/env python3
"""Checks that what `chm ... --json` prints matches the schemas of chm's OpenAPI document, since
the API's response documents are exactly those: search (with facets, corrections, expansions,
facet labels), show, match, similar, stats, ingest (with a rejected record) and delete.

    python3 Tests/api/check_documents.py PATH/TO/chm [openapi.json]

Works on a temporary index of Corpus/ (no server needed). Exits 1 naming each mismatch.
"""
import json
import pathlib
import subprocess
import sys
import tempfile

from openapi_schema_validator import OAS31Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

here = pathlib.Path(__file__).resolve().parent
root = here.parent.parent
chm = sys.argv[1]
spec = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else root / "Sources/ClearingHouseServer/Resources/openapi.json"
document = json.loads(spec.read_text(encoding="utf-8"))
registry = Registry().with_resource("urn:chm:openapi", Resource(contents=document, specification=DRAFT202012))
problems = []


def check(schema_name, value, what):
    validator = OAS31Validator({"$ref": f"urn:chm:openapi#/components/schemas/{schema_name}"}, registry=registry)
    errors = list(validator.iter_errors(value))
    for error in errors:
        path = "/".join(str(part) for part in error.absolute_path)
        problems.append(f"{what}: {schema_name} at /{path}: {error.message[:300]}")
    return not errors


def run(*arguments, expect=(0,)):
    result = subprocess.run([chm, *arguments], capture_output=True, text=True, cwd=root)
    if result.returncode not in expect:
        problems.append(f"chm {' '.join(arguments)} exited {result.returncode}: {result.stderr.strip()[:300]}")
        return None
    return json.loads(result.stdout)


with tempfile.TemporaryDirectory() as work:
    index = f"{work}/index"
    report = run("ingest", "--json", "--quiet", "--index", index, "Corpus")
    if report is not None:
        check("IngestReport", report, "chm ingest --json Corpus")
        if report.get("thesaurus") is None:
            problems.append("chm ingest --json Corpus: expected a thesaurus report (Corpus/thesaurus)")

    searches = [
        ["mangrove", "--facets", "kind,country"],
        ["коралловые рифы", "--lang", "fr", "--facets", "theme,year,language"],
        ["mangrove restoraton", "--count"],
        ["", "--country", "KE", "--sort", "published", "--limit", "3"],
        ["fire AND savanna", "--explain", "--limit", "2"],
        ["nothing-matches-this-zzzz"],
    ]
    for arguments in searches:
        found = run("search", "--json", "--index", index, *arguments)
        if found is None:
            continue
        what = f"chm search --json {' '.join(arguments)}"
        check("SearchResponse", found, what)
        # The API adds took_ms; the search result schema must accept the document with it.
        check("SearchResult", {**found, "took_ms": 0.25}, what + " (+ took_ms)")
        if OAS31Validator({"$ref": "urn:chm:openapi#/components/schemas/SearchResult"}, registry=registry).is_valid(found):
            problems.append(f"{what}: SearchResult accepted a document without took_ms")
    first = (run("search", "--json", "--index", index, "mangrove", "--limit", "1") or {"hits": [{"id": "?"}]})["hits"][0]["id"]

    record = run("show", "--json", "--index", index, first)
    if record is not None:
        check("Record", record, f"chm show --json {first}")
    for arguments in (["match", "a-req-coral-bleaching-monitoring-maldives"], ["match", "--text", "coral bleaching monitoring", "--country", "MV"],
                      ["similar", first]):
        answer = run(*arguments[:1], "--json", "--index", index, *arguments[1:])
        if answer is not None:
            check("SearchResponse", answer, f"chm {' '.join(arguments)} --json")
            if not any("reasons" in hit for hit in answer.get("hits", [])):
                problems.append(f"chm {' '.join(arguments)} --json: no hit has reasons")

    stats = run("stats", "--json", "--index", index)
    if stats is not None:
        check("StatisticsReport", stats, "chm stats --json")

    # An ingest with a rejected record: its diagnostics are Diagnostic objects.
    bad = pathlib.Path(work, "bad.jsonl")
    bad.write_text('{"id": "x-ok", "kind": "resource", "title": "Fine"}\n{"id": "x-bad", "kind": "resource", "title": "Bad", "countries": ["XX"]}\n{not json\n')
    rejected = run("ingest", "--json", "--quiet", "--skip-invalid", "--index", index, str(bad), expect=(0, 65))
    if rejected is not None:
        check("IngestReport", rejected, "chm ingest --json --skip-invalid (bad records)")
        if not rejected.get("diagnostics"):
            problems.append("chm ingest --json of bad records: no diagnostics")
        for diagnostic in rejected.get("diagnostics", []):
            check("Diagnostic", diagnostic, "a diagnostic")
        # The API's 422 problem carries them too.
        check("Problem", {"type": "urn:chm:problem:invalid-records", "title": "Records cannot be stored", "status": 422,
                          "detail": "nothing was stored", "diagnostics": rejected.get("diagnostics", [])}, "a 422 problem")

    deleted = run("delete", "--json", "--index", index, "x-ok", "no-such-record", expect=(1,))
    if deleted is not None:
        check("DeleteReport", deleted, "chm delete --json")

for problem in problems:
    print(f"check_documents: {problem}", file=sys.stderr)
if problems:
    sys.exit(1)
print("check_documents: every chm --json document matches its schema in the OpenAPI document")
