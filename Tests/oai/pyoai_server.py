"""An OAI-PMH provider built on the `oaipmh` package (pyoai, PyPI), for chm harvest to harvest.

    python pyoai_server.py STATE.json PORT_FILE [BATCH_SIZE]

STATE.json holds the repository: {"records": [{"id", "datestamp", "deleted", "sets",
"title", "description", "subjects", "date", "type", "language"}]}. It is read again on every
request, so a test changes the repository by rewriting the file. The server listens on
127.0.0.1 at a free port, writes the port to PORT_FILE, and pages lists with pyoai's own
resumption tokens (BATCH_SIZE items a page, default 25).
"""
import json
import sys
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlparse

from oaipmh import common, error
from oaipmh.metadata import MetadataRegistry
from oaipmh.server import Server, oai_dc_writer

state_path, port_path = sys.argv[1], sys.argv[2]
batch_size = int(sys.argv[3]) if len(sys.argv) > 3 else 25


def parse_date(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")


def load():
    with open(state_path, encoding="utf-8") as file:
        return json.load(file)["records"]


class Repository:
    """pyoai's IOAI interface over the state file."""

    def identify(self):
        return common.Identify(
            repositoryName="pyoai test repository",
            baseURL="http://127.0.0.1/oai",
            protocolVersion="2.0",
            adminEmails=["test@example.org"],
            earliestDatestamp=datetime(2000, 1, 1),
            deletedRecord="persistent",
            granularity="YYYY-MM-DDThh:mm:ssZ",
            compression=["identity"],
        )

    def listMetadataFormats(self, identifier=None):
        return [("oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd", "http://www.openarchives.org/OAI/2.0/oai_dc/")]

    def listSets(self, cursor=0, batch_size=10):
        sets = sorted({spec for record in load() for spec in record["sets"]})
        return [(spec, spec, None) for spec in sets]

    def _select(self, metadataPrefix, set=None, from_=None, until=None):
        if metadataPrefix != "oai_dc":
            raise error.CannotDisseminateFormatError(metadataPrefix)
        records = sorted(load(), key=lambda record: (record["datestamp"], record["id"]))
        chosen = []
        for record in records:
            stamp = parse_date(record["datestamp"])
            if from_ is not None and stamp < from_:
                continue
            if until is not None and stamp > until:
                continue
            if set is not None and set not in record["sets"]:
                continue
            chosen.append(record)
        if not chosen:
            raise error.NoRecordsMatchError("no records match")
        return chosen

    @staticmethod
    def _header(record):
        return common.Header(None, record["id"], parse_date(record["datestamp"]), record["sets"], record["deleted"])

    @staticmethod
    def _metadata(record):
        fields = {
            "title": [record["title"]],
            "description": [record["description"]],
            "subject": record["subjects"],
            "date": [record["date"]],
            "type": [record["type"]],
            "language": [record["language"]],
            "identifier": [f"https://pyoai.example.org/items/{record['id'].rsplit(':', 1)[-1]}"],
        }
        return common.Metadata(None, fields)

    def listIdentifiers(self, metadataPrefix, set=None, from_=None, until=None):
        return [self._header(record) for record in self._select(metadataPrefix, set, from_, until)]

    def listRecords(self, metadataPrefix, set=None, from_=None, until=None):
        return [
            (self._header(record), None if record["deleted"] else self._metadata(record), None)
            for record in self._select(metadataPrefix, set, from_, until)
        ]

    def getRecord(self, metadataPrefix, identifier):
        for record in load():
            if record["id"] == identifier:
                return self._header(record), None if record["deleted"] else self._metadata(record), None
        raise error.IdDoesNotExistError(identifier)


registry = MetadataRegistry()
registry.registerWriter("oai_dc", oai_dc_writer)
server = Server(Repository(), registry, resumption_batch_size=batch_size)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        query = dict(parse_qsl(urlparse(self.path).query, keep_blank_values=True))
        body = server.handleRequest(query)
        self.send_response(200)
        self.send_header("Content-Type", "text/xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_path + ".tmp", "w") as file:
    file.write(str(http.server_address[1]))
import os  # noqa: E402

os.replace(port_path + ".tmp", port_path)
print(f"pyoai server on http://127.0.0.1:{http.server_address[1]}/oai", datetime.now(timezone.utc).isoformat(), flush=True)
http.serve_forever()
