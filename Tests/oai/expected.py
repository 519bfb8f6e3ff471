"""What the harvest checks of Tests/oai compare with: the served index's live records (from
`chm export --format jsonl`) and its deleted ids, and a list of failures to report at the end."""
import json
import sys


def load(live_path, deleted_path):
    """(id -> record of LIVE.jsonl, set of the ids in DELETED_IDS)."""
    live = {}
    for line in open(live_path, encoding="utf-8"):
        record = json.loads(line)
        live[record["id"]] = record
    deleted = {line.strip() for line in open(deleted_path, encoding="utf-8") if line.strip()}
    return live, deleted


class Failures(list):
    """check(condition, message) collects what failed; finish(success) reports and exits."""

    def check(self, condition, message):
        if not condition:
            self.append(message)

    def finish(self, success):
        if self:
            for failure in self[:40]:
                print("FAIL:", failure, file=sys.stderr)
            sys.exit(1)
        print(success)
