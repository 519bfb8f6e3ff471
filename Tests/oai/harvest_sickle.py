"""Harvests chm's /oai completely with Sickle and checks what it got against the catalog.

    python harvest_sickle.py BASE_URL LIVE.jsonl DELETED_IDS

LIVE.jsonl is `chm export --format jsonl` of the served index; DELETED_IDS one id a line.
Checks: Identify, ListMetadataFormats, every record once in oai_dc and in chm (with its
title), every deletion as a deleted header, every set of ListSets and that set harvests
partition the records by kind and find them by country, region and theme.
"""
import sys
from collections import Counter

import expected

from sickle import Sickle
from sickle.oaiexceptions import IdDoesNotExist, NoRecordsMatch

base, live_path, deleted_path = sys.argv[1:4]
live, deleted = expected.load(live_path, deleted_path)
failures = expected.Failures()
check = failures.check


sickle = Sickle(base, max_retries=2, timeout=60)
identify = sickle.Identify()
check(identify.protocolVersion == "2.0", f"protocolVersion {identify.protocolVersion}")
check(identify.deletedRecord == "persistent", f"deletedRecord {identify.deletedRecord}")
check(identify.granularity == "YYYY-MM-DDThh:mm:ssZ", f"granularity {identify.granularity}")
prefixes = [format.metadataPrefix for format in sickle.ListMetadataFormats()]
check(prefixes == ["oai_dc", "chm"], f"formats {prefixes}")


def harvest(verb, **arguments):
    """(identifier -> deleted?, every identifier in order) of a whole list."""
    method = getattr(sickle, verb)
    try:
        items = list(method(ignore_deleted=False, **arguments))
    except NoRecordsMatch:
        return {}, [], []
    headers = [item.header if verb == "ListRecords" else item for item in items]
    order = [header.identifier for header in headers]
    return {header.identifier: header.deleted for header in headers}, order, items


for prefix in ["oai_dc", "chm"]:
    seen, order, records = harvest("ListRecords", metadataPrefix=prefix)
    repeated = [id for id, count in Counter(order).items() if count > 1]
    check(not repeated, f"{prefix}: given more than once: {repeated[:5]}")
    check({id for id, gone in seen.items() if not gone} == set(live), f"{prefix}: live records differ")
    check({id for id, gone in seen.items() if gone} == deleted, f"{prefix}: deletions differ")
    for record in records:
        if record.header.deleted:
            continue
        expected = live[record.header.identifier]["title"]
        if prefix == "oai_dc":
            titles = record.metadata.get("title", [])
            check(set(titles) == set(expected.values()), f"oai_dc title of {record.header.identifier}: {titles}")
        else:
            check(record.xml.find(".//{urn:chm:records:1}title") is not None, f"chm record {record.header.identifier} has no title")
    print(f"ListRecords {prefix}: {len(order)} items ({len(deleted)} deleted), each once")

seen, order, _ = harvest("ListIdentifiers", metadataPrefix="oai_dc")
check(set(seen) == set(live) | deleted and len(order) == len(seen), "ListIdentifiers differs")

try:
    sickle.GetRecord(identifier="no-such-record", metadataPrefix="oai_dc")
    check(False, "GetRecord of an unknown id did not fail")
except IdDoesNotExist:
    pass

specs = [item.setSpec for item in sickle.ListSets()]
check(len(specs) == len(set(specs)), "ListSets repeats a set")
by_kind = Counter()
for spec in specs:
    seen, order, _ = harvest("ListIdentifiers", metadataPrefix="oai_dc", set=spec)
    check(bool(seen), f"set {spec} is empty")
    check(len(order) == len(seen), f"set {spec} gives an item twice")
    category, _, value = spec.partition(":")
    for id, gone in seen.items():
        if gone:
            continue
        record = live.get(id)
        check(record is not None, f"set {spec}: unknown id {id}")
        if record is None or not value:
            continue
        if category == "kind":
            check(record["kind"] == value, f"{id} in {spec}")
            by_kind[id] += 1
        elif category == "country":
            check(value in record.get("countries", []), f"{id} in {spec}")
for id in live:
    check(by_kind[id] == 1, f"{id} is in {by_kind[id]} kind sets")
print(f"ListSets: {len(specs)} sets, each harvested; the kind sets partition the records")

failures.finish("Sickle harvested everything")
