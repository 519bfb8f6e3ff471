"""The repository that pyoai_server.py serves, and the checks of what chm harvested from it.

    python pyoai_repository.py make STATE.json N      # N records, a tenth of them deleted
    python pyoai_repository.py change STATE.json      # delete 5, add 5, retitle 5 (datestamped now)
    python pyoai_repository.py check STATE.json EXPORT.jsonl

`check` compares `chm export --format jsonl` of the harvesting index with the repository:
the same live ids (no deleted one), each with its title, subjects, published date and the
source (base URL and OAI identifier). Identifiers look like real ones: handles with a `/`,
and `oai:host:number`.
"""
import json
import sys
from datetime import datetime, timedelta, timezone

THEMES = ["water", "forests", "coral reefs", "pollinators", "wetlands", "soils"]
KINDS = ["technology", "best practice", "case study"]


def identifier(number):
    return f"hdl:10568/{number}" if number % 3 == 0 else f"oai:pyoai.example.org:{number}"


def stamp(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def record(number, moment, title=None):
    theme = THEMES[number % len(THEMES)]
    return {
        "id": identifier(number),
        "datestamp": stamp(moment),
        "deleted": False,
        "sets": [f"theme:{theme.replace(' ', '-')}", "even" if number % 2 == 0 else "odd"],
        "title": title or f"Practice {number} for {theme}",
        "description": f"How community {number} looks after its {theme}.",
        "subjects": [theme, "biodiversity"],
        "date": f"{2000 + number % 25}-0{1 + number % 9}-1{number % 10}",
        "type": KINDS[number % len(KINDS)],
        "language": "en",
    }


def save(path, records):
    with open(path, "w", encoding="utf-8") as file:
        json.dump({"records": records}, file, indent=1)


def load(path):
    with open(path, encoding="utf-8") as file:
        return json.load(file)["records"]


def make(path, count):
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    records = [record(number, start + timedelta(hours=number)) for number in range(1, count + 1)]
    for number, item in enumerate(records, start=1):
        if number % 10 == 7:
            item["deleted"] = True
    save(path, records)


def change(path):
    records = load(path)
    now = datetime.now(timezone.utc) + timedelta(seconds=1)
    live = [item for item in records if not item["deleted"]]
    for item in live[:5]:
        item["deleted"] = True
        item["datestamp"] = stamp(now)
    for item in live[5:10]:
        item["title"] = item["title"] + " (revised)"
        item["datestamp"] = stamp(now)
    top = max(int(item["id"].rsplit("/", 1)[-1].rsplit(":", 1)[-1]) for item in records)
    records += [record(number, now) for number in range(top + 1, top + 6)]
    save(path, records)


def check(path, export_path, base_url):
    records = load(path)
    expected = {item["id"]: item for item in records if not item["deleted"]}
    harvested = {}
    for line in open(export_path, encoding="utf-8"):
        item = json.loads(line)
        harvested[item["id"]] = item
    failures = []
    missing = sorted(set(expected) - set(harvested))
    extra = sorted(set(harvested) - set(expected))
    if missing:
        failures.append(f"{len(missing)} records not harvested, e.g. {missing[:3]}")
    if extra:
        failures.append(f"{len(extra)} records harvested that are not live (deleted?), e.g. {extra[:3]}")
    for key in sorted(set(expected) & set(harvested)):
        want, got = expected[key], harvested[key]
        title = got.get("title", {})
        title = title.get("en") if isinstance(title, dict) else title
        if title != want["title"]:
            failures.append(f"{key}: title {title!r}, want {want['title']!r}")
        if sorted(got.get("keywords", [])) != sorted(want["subjects"]):
            failures.append(f"{key}: keywords {got.get('keywords')}")
        if got.get("published") != want["date"]:
            failures.append(f"{key}: published {got.get('published')}, want {want['date']}")
        source = got.get("source", {})
        if source.get("originalId") != key or source.get("url") != base_url:
            failures.append(f"{key}: source {source}")
    for failure in failures[:20]:
        print("FAIL:", failure)
    if failures:
        sys.exit(1)
    print(f"ok: {len(harvested)} records, as the repository has them ({len(records) - len(expected)} deleted)")


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "make":
        make(sys.argv[2], int(sys.argv[3]))
    elif command == "change":
        change(sys.argv[2])
    elif command == "check":
        check(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(f"unknown command {command}")
