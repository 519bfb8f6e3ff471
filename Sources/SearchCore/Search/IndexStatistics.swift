/// Figures about an index snapshot.
public struct IndexStatistics: Sendable, Hashable {
    /// Segments in the snapshot.
    public var segments: Int
    /// Live documents.
    public var documents: Int
    /// Deleted documents not yet merged away.
    public var deletedDocuments: Int
    /// Distinct (field, term) entries, summed over segments.
    public var terms: Int
    /// Postings (document, term) entries, summed over segments.
    public var postings: Int
    /// Size of the segment and deletion files.
    public var bytes: Int64
    /// Bytes of the doc-id and frequency blocks (with their skip data), summed over segments.
    public var postingsBytes: Int64
}

extension IndexSearcher {
    /// Counts segments, documents, terms and postings (scans the term dictionaries).
    public func statistics() -> IndexStatistics {
        var terms = 0
        var postings = 0
        var bytes: Int64 = 0
        var deleted = 0
        var postingsBytes: Int64 = 0
        for segment in segments {
            segment.reader.forEachTerm { _, _, info in
                terms += 1
                postings += info.documentFrequency
            }
            bytes += Int64(segment.reader.file.file.bytes.count)
            postingsBytes += Int64(segment.reader.postings.count)
            deleted += segment.deletions.count
        }
        return IndexStatistics(
            segments: segments.count, documents: documentCount, deletedDocuments: deleted, terms: terms, postings: postings,
            bytes: bytes, postingsBytes: postingsBytes)
    }
}

extension IndexSearcher {
    /// Damaged sections of the segment files (reads every file whole); empty when all is well.
    public func verifyChecksums() -> [String] {
        segments.flatMap { segment in
            segment.reader.verifyFile().map { "segment \(segment.reader.name): checksum mismatch in section \($0)" }
        }
    }

    /// Checks that no segment file of this snapshot was cut short since it was mapped (a
    /// search reading past its end would stop the process with SIGBUS: crash-safety QA
    /// truncated one under a running server): one `stat` a segment, cheap enough to run
    /// before every search. A shrunk file is noted as ``damage``.
    /// - Throws: ``IndexError`` with code `corrupt` naming the file.
    public func checkFilesInPlace() throws(IndexError) {
        for segment in segments where segment.reader.file.file.isShrunk {
            try noticingDamage { () throws(IndexError) -> Void in
                throw IndexError(
                    .corrupt,
                    "segment \(segment.reader.name) is shorter than when it was opened (its file was cut short on disk); nothing more is read from it")
            }
        }
    }

    /// The keys of every live document.
    public func allKeys() -> [String] {
        var keys: [String] = []
        keys.reserveCapacity(documentCount)
        for segment in segments {
            for doc in 0..<segment.reader.documentCount where !segment.deletions.contains(doc) {
                keys.append(segment.reader.key(doc))
            }
        }
        return keys
    }
}
