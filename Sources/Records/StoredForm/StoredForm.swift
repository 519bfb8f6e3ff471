// The form in which a record is stored: its canonical JSON, a hash of it that tells an
// unchanged record from a changed one, and a hash of its content alone that tells the same
// record published under two ids.

/// A record's stored form: its canonical JSON, the SHA-256 of it (which tells an unchanged
/// record from a changed one) and its content hash (which tells the same record under another
/// id). Readers prepare it on all cores while they read, so that the catalog's transaction,
/// which runs on one thread, only writes.
package struct StoredForm: Sendable {
    /// The canonical JSON text (``Record/canonicalJSONText``) and its SHA-256 in hex.
    package let form: (json: String, hash: String)
    /// The SHA-256 in hex of the canonical JSON without the members that say which copy this
    /// is rather than what it says (``Record/copyMembers``: `id`, `source`, `updated`): equal
    /// for the same record published by two sources under two ids.
    package let contentHash: String

    /// The stored form of `record`: its canonical JSON is written once, member by member, and
    /// the content text is the same bytes without the copy members, so both hashes are of
    /// exactly the text ``Record/canonicalJSONText`` (and its content-only counterpart) gives.
    package init(_ record: Record) {
        guard case .object(let members) = record.canonicalJSON else {
            // (The canonical form is always an object; this keeps the initializer total.)
            let json = record.canonicalJSONText
            form = (json, SHA256.hex(json.utf8))
            contentHash = form.hash
            return
        }
        var full: [UInt8] = [UInt8(ascii: "{")]
        var content: [UInt8] = [UInt8(ascii: "{")]
        full.reserveCapacity(1024)
        content.reserveCapacity(1024)
        for (key, value) in members {
            if full.count > 1 { full.append(UInt8(ascii: ",")) }
            let start = full.count
            JSONValue.writeString(key, to: &full)
            full.append(UInt8(ascii: ":"))
            value.write(to: &full)
            guard !Record.copyMembers.contains(key) else { continue }
            if content.count > 1 { content.append(UInt8(ascii: ",")) }
            content.append(contentsOf: full[start...])
        }
        full.append(UInt8(ascii: "}"))
        content.append(UInt8(ascii: "}"))
        form = (String(decoding: full, as: UTF8.self), SHA256.hex(full))
        contentHash = SHA256.hex(content)
    }
}

extension Record {
    /// The members of the canonical JSON that the content hash leaves out: they say which
    /// copy of a record this is (its id, where it came from, when that source last changed
    /// it), not what the record says.
    package static let copyMembers: Set<String> = ["id", "source", "updated"]
}
