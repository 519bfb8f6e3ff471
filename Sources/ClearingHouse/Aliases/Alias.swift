// One copy of each record: the types of aliases (ids that resolve to another record), of
// resolved records and of merges. The rules that make an alias are in
// Catalog/Catalog+Aliases.swift (at ingest) and ClearingHouse+Aliases.swift (merge).

/// Why an id is an alias of another record.
public enum AliasReason: String, Sendable, Hashable, Codable, CaseIterable {
    /// The two come from different sources (their `source.system`, else the host of their
    /// `source.url`, differ) and have the same content: the same SHA-256 over the canonical
    /// JSON without `id`, `source` and `updated`.
    case content
    /// The two come from different sources, each lists the other in `related`, they are of
    /// the same kind and share a title in one language.
    case related
    /// One names the other in `source.originalId`, or both name the same original (the same
    /// `source.originalId` from the same source: the same `source.system`, or without one,
    /// the same host of `source.url`); they are of the same kind.
    case source
    /// A maintainer merged them (`chm merge`).
    case merge

    /// The reason in words: `same content`, `declared related with the same title`,
    /// `the same source`, `merged`.
    public var explanation: String {
        switch self {
        case .content: return "same content"
        case .related: return "declared related with the same title"
        case .source: return "the same source"
        case .merge: return "merged"
        }
    }
}

/// An id that resolves to another record, its primary: the same record reached through
/// another source or identifier. The alias's own copy is kept in the catalog (nothing is
/// lost) but it is not indexed, not searched and not disseminated over OAI-PMH: only the
/// primary is.
///
/// `{"id", "primary", "reason", "since"}`.
public struct Alias: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The alias's id.
    public var id: String
    /// The id of the record it resolves to (always a record of the catalog, never an alias).
    public var primary: String
    /// Why the two are one record.
    public var reason: AliasReason
    /// When the id became an alias of `primary` (RFC 3339).
    public var since: String

    /// `ALIAS is an alias of PRIMARY (same content)`.
    public var description: String { "\(id) is an alias of \(primary) (\(reason.explanation))" }
}

/// A record found by an id that is either its own or one of its aliases
/// (``ClearingHouse/resolve(id:)``).
public struct ResolvedRecord: Sendable, Hashable {
    /// The id of the record found (the primary, when the id asked for is an alias).
    public var id: String
    /// The record's canonical JSON, as the catalog stores it.
    public var canonicalJSON: String
    /// The alias that led to the record; nil when the id asked for is the record's own.
    public var alias: Alias?

    /// A record found by `id` (through `alias` when it is not nil).
    public init(id: String, canonicalJSON: String, alias: Alias?) {
        self.id = id
        self.canonicalJSON = canonicalJSON
        self.alias = alias
    }

    /// The record, decoded from its canonical JSON.
    /// - Throws: ``ClearingHouseError`` with code `damaged` when the stored text cannot be read.
    public func record() throws(ClearingHouseError) -> Record {
        try Record(fromCatalog: canonicalJSON)
    }

    /// What `chm show --json ID` prints and `GET /v1/records/{id}` answers: the canonical
    /// JSON, unchanged for a record's own id; for an alias, the primary's canonical JSON with
    /// one more member at the end, `"resolvedFrom"`: the ``Alias`` (`{"id", "primary",
    /// "reason", "since"}`). `resolvedFrom` is not part of the record format: leave it out
    /// before ingesting the document somewhere (an ingest would keep it under `extensions`).
    /// - Throws: ``ClearingHouseError`` with code `damaged` when the stored text cannot be read.
    public func documentText() throws(ClearingHouseError) -> String {
        guard let alias else { return canonicalJSON }
        guard case .object(var members) = try record().canonicalJSON else { return canonicalJSON }
        let resolvedFrom: [(String, JSONValue)] = [
            ("id", .string(alias.id)), ("primary", .string(alias.primary)), ("reason", .string(alias.reason.rawValue)),
            ("since", .string(alias.since)),
        ]
        members.append(("resolvedFrom", .object(resolvedFrom)))
        return JSONValue.object(members).description
    }
}

/// Where a record came from (``ClearingHouse/provenance(id:)``): the copies that resolve to
/// it and the OAI sets it was harvested in.
///
/// JSON: `{"id", "aliases": [Alias], "harvestedSets": [{"baseURL", "set", "id"}]}`.
public struct RecordProvenance: Sendable, Hashable, Codable {
    /// The record's id (the primary's, when an alias's id was asked for).
    public var id: String
    /// Its aliases, by id.
    public var aliases: [Alias]
    /// The OAI sets the record, or one of its aliases, was harvested in (``HarvestedSet/id``
    /// says which), by base URL and set.
    public var harvestedSets: [HarvestedSet]

    /// The provenance of record `id`.
    public init(id: String, aliases: [Alias], harvestedSets: [HarvestedSet]) {
        self.id = id
        self.aliases = aliases
        self.harvestedSets = harvestedSets
    }
}

/// What ``ClearingHouse/merge(primary:duplicates:)`` did.
///
/// `{"primary", "merged": [ids], "alreadyMerged": [ids], "aliases": [Alias]}`.
public struct MergeReport: Sendable, Hashable, Codable {
    /// The record the duplicates now resolve to.
    public var primary: String
    /// The duplicates that became aliases of ``primary`` (they left the index, and OAI-PMH
    /// shows them as deleted).
    public var merged: [String] = []
    /// The duplicates that were aliases of ``primary`` already (nothing to do).
    public var alreadyMerged: [String] = []
    /// Every alias of ``primary`` after the merge, those of the merged records included.
    public var aliases: [Alias] = []

    /// A report of a merge into `primary`.
    public init(primary: String, merged: [String] = [], alreadyMerged: [String] = [], aliases: [Alias] = []) {
        self.primary = primary
        self.merged = merged
        self.alreadyMerged = alreadyMerged
        self.aliases = aliases
    }
}
