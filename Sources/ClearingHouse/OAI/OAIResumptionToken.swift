import Foundation

/// Where a ListIdentifiers or ListRecords harvest stands: what it asked for, the snapshot it
/// started on, and the last item it was given. Signed with the catalog's secret, so a token
/// that was changed is refused.
struct OAIResumptionToken: Equatable {
    /// `ListIdentifiers` or `ListRecords`.
    var verb: String
    var metadataPrefix: String
    var set: String?
    var from: Int
    /// Fixed when the harvest starts (its `until`, or the time it started).
    var until: Int
    /// Whether the harvester gave the `until` (the list never goes past it).
    var untilGiven = false
    /// The change-log position when the harvest started: later changes wait for the next harvest.
    var maxSequence: Int64
    var lastDatestamp: Int
    var lastID: String
    /// Items given before the next page.
    var cursor: Int
    /// Items in the whole list when the harvest started.
    var completeListSize: Int

    /// The token as text: its fields, base64url-encoded, a dot, and their HMAC-SHA-256
    /// (first 128 bits, hex) under `secret`.
    func encoded(secret: String) -> String {
        let fields = [
            "2", verb, metadataPrefix, set ?? "", String(from), String(until), String(maxSequence), String(lastDatestamp), lastID,
            String(cursor), String(completeListSize), untilGiven ? "1" : "0",
        ]
        let payload = Self.base64url(Array(fields.joined(separator: "\n").utf8))
        return payload + "." + Self.mac(payload, secret: secret)
    }

    /// The token that `text` encodes, or nil when it is not one of ours or was changed.
    init?(_ text: String, secret: String) {
        guard let dot = text.lastIndex(of: "."), text.utf8.count < 4096 else { return nil }
        let payload = String(text[..<dot])
        let given = Array(text[text.index(after: dot)...].utf8)
        let expected = Array(Self.mac(payload, secret: secret).utf8)
        guard given.count == expected.count else { return nil }
        var difference: UInt8 = 0
        for (a, b) in zip(given, expected) { difference |= a ^ b }
        guard difference == 0, let bytes = Self.unbase64url(payload), let decoded = String(validating: bytes, as: UTF8.self)
        else { return nil }
        // (Version 1, before `untilGiven`, is still read: a token outlives a server's restart.)
        let fields = decoded.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard (fields.count == 11 && fields[0] == "1") || (fields.count == 12 && fields[0] == "2"), let from = Int(fields[4]),
            let until = Int(fields[5]),
            let maxSequence = Int64(fields[6]), let lastDatestamp = Int(fields[7]), let cursor = Int(fields[9]),
            let size = Int(fields[10])
        else { return nil }
        self.init(
            verb: fields[1], metadataPrefix: fields[2], set: fields[3].isEmpty ? nil : fields[3], from: from, until: until,
            maxSequence: maxSequence, lastDatestamp: lastDatestamp, lastID: fields[8], cursor: cursor, completeListSize: size)
        untilGiven = fields.count == 12 && fields[11] == "1"
    }

    init(
        verb: String, metadataPrefix: String, set: String?, from: Int, until: Int, maxSequence: Int64, lastDatestamp: Int,
        lastID: String, cursor: Int, completeListSize: Int
    ) {
        self.verb = verb
        self.metadataPrefix = metadataPrefix
        self.set = set
        self.from = from
        self.until = until
        self.maxSequence = maxSequence
        self.lastDatestamp = lastDatestamp
        self.lastID = lastID
        self.cursor = cursor
        self.completeListSize = completeListSize
    }

    /// HMAC-SHA-256 (RFC 2104) of `message` under `secret`, first 32 hex digits.
    static func mac(_ message: String, secret: String) -> String {
        var key = Array(secret.utf8)
        if key.count > 64 { key = SHA256.digest(key) }
        key += [UInt8](repeating: 0, count: 64 - key.count)
        let inner = SHA256.digest(key.map { $0 ^ 0x36 } + Array(message.utf8))
        return String(SHA256.hex(key.map { $0 ^ 0x5c } + inner).prefix(32))
    }

    private static func base64url(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func unbase64url(_ text: String) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64).map(Array.init)
    }
}
