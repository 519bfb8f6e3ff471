"""What the baseline engines of Benchmarks/compare.sh share (fts5_baseline.py,
tantivy_baseline.py): the corpus as (id, title, body) rows, the queries as word lists, and
the latency summary they print."""
import json
import re


def text_of(value):
    """A field's text: strings as they are, the values of an object or list joined."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return " ".join(str(v) for v in value.values())
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value)


def documents(corpus):
    """(id, title, body) of each record: body is body, text, summary, description and keywords."""
    with open(corpus, encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            record = json.loads(line)
            body = " ".join(text_of(record.get(k)) for k in ("body", "text", "summary", "description", "keywords"))
            yield record["id"], text_of(record.get("title")), body


def query_words(queries):
    """Each query's words (lower case), from qid<TAB>text lines; queries without words are skipped."""
    with open(queries, encoding="utf-8") as lines:
        for line in lines:
            if "\t" not in line:
                continue
            _, text = line.rstrip("\n").split("\t", 1)
            words = re.findall(r"\w+", text.lower())
            if words:
                yield words


def latency_summary(latencies):
    """The JSON line compare.sh reads: query count, median, p99 and mean in milliseconds."""
    latencies = sorted(latencies)

    def percentile(p):
        return latencies[min(len(latencies) - 1, max(0, int(-(-p * len(latencies) // 1)) - 1))]

    return json.dumps({"queries": len(latencies), "median_ms": percentile(0.5), "p99_ms": percentile(0.99),
                       "mean_ms": sum(latencies) / len(latencies)})
