// The form in which a record is stored: its canonical JSON, and a hash of it that tells an
// unchanged record from a changed one.

/// A record's stored form: its canonical JSON and the SHA-256 of it (which tells an unchanged
/// record from a changed one). Readers prepare it on all cores while they read, so that the
/// catalog's transaction, which runs on one thread, only writes.
package struct StoredForm: Sendable {
    /// The canonical JSON text (``Record/canonicalJSONText``) and its SHA-256 in hex.
    package let form: (json: String, hash: String)

    /// The stored form of `record`.
    package init(_ record: Record) {
        let json = record.canonicalJSONText
        form = (json, SHA256.hex(json.utf8))
    }
}
