// One copy of each record, for the library's users: resolving an id that may be an alias,
// listing a record's aliases, and merging records a maintainer knows to be the same.

extension ClearingHouse {
    /// The record that `id` names: the record itself, or, when `id` is an alias, the record it
    /// resolves to (its primary), with the ``Alias`` that led there. Nil when neither a record
    /// nor an alias has this id.
    ///
    /// ```swift
    /// if let found = try house.resolve(id: "copy-from-another-node") {
    ///     if let alias = found.alias { print(alias) }  // "… is an alias of … (same content)"
    ///     let record = try found.record()
    /// }
    /// ```
    public func resolve(id: String) throws -> ResolvedRecord? {
        try catalog.resolve(id: id)
    }

    /// Where the record that `id` names came from: its aliases (copies from other sources or
    /// under other ids) and the OAI sets it and they were harvested in. Nil when neither a
    /// record nor an alias has this id; an alias's id gives its primary's provenance.
    /// `GET /v1/records/{id}/provenance` answers with it.
    public func provenance(id: String) throws -> RecordProvenance? {
        guard let found = try resolve(id: id) else { return nil }
        return RecordProvenance(id: found.id, aliases: try aliases(of: found.id), harvestedSets: try harvestedSets(id: found.id))
    }

    /// The aliases of the record `id` (ids that resolve to it), by id; empty for an unknown id
    /// or an alias's.
    public func aliases(of id: String) throws -> [Alias] {
        try catalog.aliases(of: id)
    }

    /// The record `id` names, following an alias to its primary (what `similar` and `match`
    /// start from).
    /// - Throws: ``ClearingHouseError`` with code `notFound` when neither a record nor an
    ///   alias has this id.
    func resolvedRecord(id: String) throws -> Record {
        guard let found = try resolve(id: id) else { throw ClearingHouseError(.notFound, "no record with id \(id)") }
        return try found.record()
    }

    /// Makes each of `duplicates` an alias of `primary`, in one transaction: a maintainer's
    /// decision that they are the same record (`chm merge PRIMARY DUPLICATE...`).
    ///
    /// Each duplicate's copy stays in the catalog as an alias (reason `merge`, which later
    /// ingests of that copy do not undo); it leaves the index, so searches show `primary`
    /// only, and OAI-PMH reports it as deleted, so that a harvester downstream keeps one copy
    /// too. The duplicate's own aliases move to `primary`. A duplicate that is already an
    /// alias of `primary` is reported under ``MergeReport/alreadyMerged``.
    ///
    /// Nothing is merged when any id is wrong.
    /// - Throws: ``ClearingHouseError`` naming the id: code `notFound` for an id that is
    ///   neither a record nor an alias; code `invalidQuery` (parameter `duplicates`) for a
    ///   record merged into itself, or no duplicates; code `conflict` (parameter `primary` or
    ///   `duplicates`) for a `primary` that is an alias (merge into its primary), or a
    ///   duplicate that is an alias of another record.
    @discardableResult
    public func merge(primary: String, duplicates: [String]) throws -> MergeReport {
        guard !duplicates.isEmpty else { throw ClearingHouseError.parameter("duplicates", "name at least one record to merge") }
        // (An empty id is a mistake in the request, not an unknown record.)
        if primary.isEmpty { throw ClearingHouseError.parameter("primary", "the id is empty") }
        if duplicates.contains("") { throw ClearingHouseError.parameter("duplicates", "an id is empty") }
        return try exclusiveWrite {
            let indexWriter = try openIndexWriter()
            defer { indexWriter.close() }
            var report = MergeReport(primary: primary)
            try catalog.storeInTransaction(describing: "the merge into \(primary)") { transaction in
                let plan = try transaction.mergePlan(primary: primary, duplicates: duplicates)
                try transaction.merge(plan.merge, into: primary)
                report.merged = plan.merge
                report.alreadyMerged = plan.already
                report.aliases = try transaction.aliases(of: primary)
                return true
            }
            try indexing { try RecordIndexing.synchronize(indexWriter, catalog: catalog) }
            return report
        }
    }
}
