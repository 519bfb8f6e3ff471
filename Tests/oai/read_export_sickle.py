"""Reads `chm export --format oai_dc` with Sickle's own response and record classes, as a
harvesting library reads a ListRecords page, and checks it against the catalog.

    python read_export_sickle.py EXPORT.xml LIVE.jsonl

LIVE.jsonl is `chm export --format jsonl` of the same index. Checks: the document is one
ListRecords page without a resumption token, every live record once in id order, each with a
datestamp, its kind set and its titles.
"""
import json
import sys

from lxml import etree
from sickle.models import Record

export_path, live_path = sys.argv[1:3]
live = [json.loads(line) for line in open(live_path, encoding="utf-8")]
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


namespaces = {"oai": "http://www.openarchives.org/OAI/2.0/"}
root = etree.parse(export_path).getroot()
check(root.find("oai:ListRecords", namespaces) is not None, "no ListRecords element")
check(root.find(".//oai:resumptionToken", namespaces) is None, "a resumption token in a file")
request = root.find("oai:request", namespaces)
check(request is not None and request.get("verb") == "ListRecords" and request.get("metadataPrefix") == "oai_dc",
      f"request {None if request is None else dict(request.attrib)}")
records = [Record(element) for element in root.iterfind(".//oai:record", namespaces)]
ids = [record.header.identifier for record in records]
check(ids == [record["id"] for record in live], f"{len(ids)} records, expected the {len(live)} live ones in id order")
by_id = {record["id"]: record for record in live}
for record in records:
    source = by_id.get(record.header.identifier)
    if source is None:
        continue
    check(not record.deleted, f"{record.header.identifier} is deleted")
    check(len(record.header.datestamp) == 20 and record.header.datestamp.endswith("Z"),
          f"{record.header.identifier}: datestamp {record.header.datestamp}")
    check(f"kind:{source['kind']}" in record.header.setSpecs, f"{record.header.identifier}: sets {record.header.setSpecs}")
    titles = source["title"] if isinstance(source["title"], dict) else {"": source["title"]}
    check(sorted(record.metadata.get("title", [])) == sorted(titles.values()),
          f"{record.header.identifier}: titles {record.metadata.get('title')}")
    check(record.metadata.get("type") == [source["kind"]], f"{record.header.identifier}: type {record.metadata.get('type')}")

if failures:
    print(f"Sickle read the export: {len(failures)} problem(s)", file=sys.stderr)
    for failure in failures[:20]:
        print("  " + failure, file=sys.stderr)
    sys.exit(1)
print(f"Sickle read the export: {len(records)} records, each with its datestamp, kind set and titles")
