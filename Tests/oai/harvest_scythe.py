"""Harvests chm's /oai completely with oaipmh-scythe (a second, independent client).

    python harvest_scythe.py BASE_URL LIVE.jsonl DELETED_IDS

As harvest_sickle.py, through another library: Identify, every record once in oai_dc and
chm, every deletion, and every set of ListSets harvested (the kind sets partition the
records), with the small pages of the served index forcing many resumption tokens.
"""
import sys
from collections import Counter

import expected

from oaipmh_scythe import Scythe
from oaipmh_scythe.exceptions import NoRecordsMatch

base, live_path, deleted_path = sys.argv[1:4]
live, deleted = expected.load(live_path, deleted_path)
failures = expected.Failures()
check = failures.check


with Scythe(base, timeout=60) as scythe:
    identify = scythe.identify()
    check(identify.protocolVersion == "2.0", f"protocolVersion {identify.protocolVersion}")
    check(identify.deletedRecord == "persistent", f"deletedRecord {identify.deletedRecord}")

    for prefix in ["oai_dc", "chm"]:
        records = list(scythe.list_records(metadata_prefix=prefix, ignore_deleted=False))
        order = [record.header.identifier for record in records]
        repeated = [id for id, count in Counter(order).items() if count > 1]
        check(not repeated, f"{prefix}: given more than once: {repeated[:5]}")
        live_seen = {record.header.identifier for record in records if not record.header.deleted}
        gone_seen = {record.header.identifier for record in records if record.header.deleted}
        check(live_seen == set(live), f"{prefix}: live records differ ({len(live_seen)} vs {len(live)})")
        check(gone_seen == deleted, f"{prefix}: deletions differ ({sorted(gone_seen)} vs {sorted(deleted)})")
        if prefix == "oai_dc":
            for record in records:
                if record.header.deleted:
                    continue
                titles = set(record.metadata.get("title", []))
                expected = set(live[record.header.identifier]["title"].values())
                check(titles == expected, f"oai_dc title of {record.header.identifier}: {titles}")
        print(f"ListRecords {prefix}: {len(order)} items ({len(gone_seen)} deleted), each once")

    specs = [item.setSpec for item in scythe.list_sets()]
    check(len(specs) == len(set(specs)) and specs, "ListSets is empty or repeats a set")
    by_kind = Counter()
    for spec in specs:
        try:
            headers = list(scythe.list_identifiers(metadata_prefix="oai_dc", set_=spec, ignore_deleted=False))
        except NoRecordsMatch:
            headers = []
        check(bool(headers), f"set {spec} is empty")
        ids = [header.identifier for header in headers]
        check(len(ids) == len(set(ids)), f"set {spec} gives an item twice")
        category, _, value = spec.partition(":")
        for header in headers:
            if header.deleted:
                continue
            record = live.get(header.identifier)
            check(record is not None, f"set {spec}: unknown id {header.identifier}")
            if record is not None and category == "kind" and value:
                check(record["kind"] == value, f"{header.identifier} in {spec}")
                by_kind[header.identifier] += 1
    for id in live:
        check(by_kind[id] == 1, f"{id} is in {by_kind[id]} kind sets")
    print(f"ListSets: {len(specs)} sets, each harvested; the kind sets partition the records")

failures.finish("oaipmh-scythe harvested everything")
