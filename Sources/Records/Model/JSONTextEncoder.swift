// The JSON text of an Encodable document in one pass: the bytes `JSONValue(encoding:)` and
// `description` give, written as `encode(to:)` goes, without the tree of nodes and values in
// between (a search response of ten hits was a tenth of a search's time).

extension JSONValue {
    /// The compact JSON text of `value`: exactly `JSONValue(encoding: value).description`,
    /// written in one pass (members in the order `encode(to:)` writes them).
    /// - Throws: what `value`'s `encode(to:)` throws.
    public static func text(encoding value: some Encodable) throws -> String {
        String(decoding: try utf8(encoding: value), as: UTF8.self)
    }

    /// The compact JSON text of `value` as UTF-8: ``text(encoding:)``'s bytes.
    /// - Throws: what `value`'s `encode(to:)` throws.
    public static func utf8(encoding value: some Encodable) throws -> [UInt8] {
        let writer = JSONTextWriter()
        do {
            try writer.write(value)
            if !writer.isUnwritable {
                writer.close(downTo: 0)
                return writer.bytes
            }
        } catch {
            // The tree encoder below throws the same error, with its whole coding path.
        }
        // What one pass cannot write (a container used again after a later one, a key written
        // twice, a super encoder) or an error: the tree encoder, which handles every case.
        var bytes: [UInt8] = []
        try JSONValue(encoding: value).write(to: &bytes)
        return bytes
    }
}

/// The text being written and its open containers.
private final class JSONTextWriter {
    var bytes: [UInt8] = []
    /// Set when `encode(to:)` did what one pass cannot write; the tree encoder then takes over.
    var isUnwritable = false

    /// An open object or array, innermost last.
    struct Frame {
        let id: Int
        let isObject: Bool
        /// Where its text starts (the value it is the container of starts there).
        let start: Int
        var count = 0
        /// An object's keys, once it has many (fewer are found in `keys`).
        var keySet: Set<String>?
        /// Where this frame's keys start in `keys`.
        let keysStart: Int
    }

    private(set) var frames: [Frame] = []
    /// The keys of the open objects, back to back.
    private var keys: [String] = []
    private var nextFrameID = 0

    /// Thrown (and caught by ``JSONValue/utf8(encoding:)``) when the document cannot be
    /// written in one pass.
    struct Unwritable: Error {}

    /// Marks the text unwritable in one pass (so that an `encode(to:)` that ignores the error
    /// thrown still gets the tree's text) and returns the error to throw.
    func unwritable() -> Unwritable {
        isUnwritable = true
        return Unwritable()
    }

    init() {
        bytes.reserveCapacity(1024)
    }

    // MARK: Values

    /// Writes `value` where a value goes next (the caller wrote any comma or key first).
    func write<T: Encodable>(_ value: T) throws {
        switch value {
        case let value as String: write(value)
        case let value as Bool: write(value)
        case let value as Double: write(value)
        case let value as Float: write(Double(value))
        case let value as Int: write(value)
        case let value as Int8: writeInteger(value)
        case let value as Int16: writeInteger(value)
        case let value as Int32: writeInteger(value)
        case let value as Int64: writeInteger(value)
        case let value as UInt: writeInteger(value)
        case let value as UInt8: writeInteger(value)
        case let value as UInt16: writeInteger(value)
        case let value as UInt32: writeInteger(value)
        case let value as UInt64: writeInteger(value)
        default:
            let depth = frames.count
            let start = bytes.count
            do {
                try value.encode(to: JSONTextEncoder(writer: self, depth: depth, start: start))
            } catch {
                // (Even if the caller goes on, as `try?` in an `encode(to:)` would: the text
                // written so far may lack this value.)
                isUnwritable = true
                throw error
            }
            close(downTo: depth)
            // Nothing encoded is an empty object, as in the tree encoder.
            if bytes.count == start { bytes.append(contentsOf: "{}".utf8) }
        }
    }

    func write(_ value: String) { JSONValue.writeString(value, to: &bytes) }
    func write(_ value: Bool) { bytes.append(contentsOf: (value ? "true" : "false").utf8) }
    func write(_ value: Int) { bytes.append(contentsOf: String(value).utf8) }
    func writeNull() { bytes.append(contentsOf: "null".utf8) }

    func write(_ value: Double) {
        JSONValue.double(value).write(to: &bytes)
    }

    func writeInteger(_ value: some BinaryInteger) {
        bytes.append(contentsOf: String(value).utf8)
    }

    // MARK: Containers

    /// Opens an object or an array where a value goes next; returns its id.
    func open(object: Bool) -> Int {
        bytes.append(UInt8(ascii: object ? "{" : "["))
        let id = nextFrameID
        nextFrameID += 1
        frames.append(Frame(id: id, isObject: object, start: bytes.count - 1, keysStart: keys.count))
        return id
    }

    /// Opens a nested container after `start` (a member's key, an item's comma); when that
    /// throws, the text is unwritable in one pass and the id returned (-1) opens nothing.
    func openNested(object: Bool, after start: () throws -> Void) -> Int {
        do {
            try start()
        } catch {
            isUnwritable = true
            return -1
        }
        return open(object: object)
    }

    /// A super encoder, which one pass does not write (the tree encoder does).
    func superEncoder() -> any Encoder {
        isUnwritable = true
        return JSONTextEncoder(writer: self, depth: frames.count, start: -1)
    }

    /// Closes the open containers above the first `depth`.
    func close(downTo depth: Int) {
        while frames.count > depth {
            let frame = frames.removeLast()
            keys.removeLast(keys.count - frame.keysStart)
            bytes.append(UInt8(ascii: frame.isObject ? "}" : "]"))
        }
    }

    /// Makes the container `id` the innermost open one again (closing the nested ones its
    /// encoding left open), or throws when it was closed already.
    func resume(_ id: Int) throws {
        guard let index = frames.lastIndex(where: { $0.id == id }) else { throw unwritable() }
        close(downTo: index + 1)
    }

    /// Starts the next member of the innermost object: a comma after the first, the key and
    /// a colon. A key written before in the object cannot be replaced in one pass.
    func member(_ key: String) throws {
        let index = frames.count - 1
        if frames[index].count >= 16 {
            if frames[index].keySet == nil { frames[index].keySet = Set(keys[frames[index].keysStart...]) }
            guard frames[index].keySet?.insert(key).inserted == true else { throw unwritable() }
        } else if keys[frames[index].keysStart...].contains(key) {
            throw unwritable()
        }
        keys.append(key)
        if frames[index].count > 0 { bytes.append(UInt8(ascii: ",")) }
        frames[index].count += 1
        JSONValue.writeString(key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    /// Starts the next item of the innermost array: a comma after the first.
    func item() {
        let index = frames.count - 1
        if frames[index].count > 0 { bytes.append(UInt8(ascii: ",")) }
        frames[index].count += 1
    }

    /// The number of items written in the open container `id` (a closed one's count is not
    /// kept: asking for it is left to the tree encoder).
    func count(of id: Int) -> Int {
        guard let frame = frames.last(where: { $0.id == id }) else {
            isUnwritable = true
            return 0
        }
        return frame.count
    }
}

/// The encoder a value's `encode(to:)` gets: the place of one value in the text (a member, an
/// item, or the document), open containers below `depth` belonging to its parents.
private struct JSONTextEncoder: Encoder {
    let writer: JSONTextWriter
    let depth: Int
    /// Where the value's text starts.
    let start: Int

    // (Only errors need the path, and an error is thrown again by the tree encoder, which
    // gives it.)
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(JSONTextKeyedContainer<Key>(writer: writer, id: containerID(object: true)))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        JSONTextUnkeyedContainer(writer: writer, id: containerID(object: false))
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        JSONTextSingleValueContainer(writer: writer, depth: depth, start: start)
    }

    /// The container of this value: opened now, or the one opened before by this encoder
    /// (the tree encoder merges a second request for the same kind of container into the
    /// first). Anything else (a container after a single value, an array after an object)
    /// cannot be written in one pass.
    private func containerID(object: Bool) -> Int {
        if writer.bytes.count == start, writer.frames.count == depth { return writer.open(object: object) }
        if writer.frames.count > depth, writer.frames[depth].start == start, writer.frames[depth].isObject == object {
            return writer.frames[depth].id
        }
        writer.isUnwritable = true
        return -1
    }
}

private struct JSONTextKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let writer: JSONTextWriter
    let id: Int
    var codingPath: [any CodingKey] { [] }

    /// Resumes this object and starts the member `key`.
    private func member(_ key: Key) throws {
        try writer.resume(id)
        try writer.member(key.stringValue)
    }

    mutating func encodeNil(forKey key: Key) throws {
        try member(key)
        writer.writeNull()
    }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try member(key)
        try writer.write(value)
    }
    mutating func encode(_ value: Bool, forKey key: Key) throws {
        try member(key)
        writer.write(value)
    }
    mutating func encode(_ value: String, forKey key: Key) throws {
        try member(key)
        writer.write(value)
    }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        try member(key)
        writer.write(value)
    }
    mutating func encode(_ value: Int, forKey key: Key) throws {
        try member(key)
        writer.write(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(JSONTextKeyedContainer<NestedKey>(writer: writer, id: nested(key, object: true)))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        JSONTextUnkeyedContainer(writer: writer, id: nested(key, object: false))
    }

    /// Opens a container as the member `key`.
    private func nested(_ key: Key, object: Bool) -> Int {
        writer.openNested(object: object) { try member(key) }
    }

    mutating func superEncoder() -> any Encoder { writer.superEncoder() }

    mutating func superEncoder(forKey key: Key) -> any Encoder { writer.superEncoder() }
}

private struct JSONTextUnkeyedContainer: UnkeyedEncodingContainer, JSONTextValueSlot {
    let writer: JSONTextWriter
    let id: Int
    var codingPath: [any CodingKey] { [] }
    var count: Int { writer.count(of: id) }

    /// Resumes this array and starts the next item.
    func begin() throws {
        try writer.resume(id)
        writer.item()
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(JSONTextKeyedContainer<NestedKey>(writer: writer, id: nested(object: true)))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        JSONTextUnkeyedContainer(writer: writer, id: nested(object: false))
    }

    /// Opens a container as the next item.
    private func nested(object: Bool) -> Int {
        writer.openNested(object: object) { try begin() }
    }

    mutating func superEncoder() -> any Encoder { writer.superEncoder() }
}

private struct JSONTextSingleValueContainer: SingleValueEncodingContainer, JSONTextValueSlot {
    let writer: JSONTextWriter
    let depth: Int
    let start: Int
    var codingPath: [any CodingKey] { [] }

    /// Checks that nothing was written for this value yet (a second value would replace the
    /// first in the tree encoder).
    func begin() throws {
        guard writer.bytes.count == start, writer.frames.count == depth else { throw writer.unwritable() }
    }
}

/// A place for one value at a time (an array's next item, a single value): the scalars are
/// written there without the generic path's casts.
private protocol JSONTextValueSlot {
    var writer: JSONTextWriter { get }
    /// Starts the next value (a comma in an array), or throws when none may follow.
    func begin() throws
}

extension JSONTextValueSlot {
    mutating func encodeNil() throws {
        try begin()
        writer.writeNull()
    }
    mutating func encode<T: Encodable>(_ value: T) throws {
        try begin()
        try writer.write(value)
    }
    mutating func encode(_ value: Bool) throws {
        try begin()
        writer.write(value)
    }
    mutating func encode(_ value: String) throws {
        try begin()
        writer.write(value)
    }
    mutating func encode(_ value: Double) throws {
        try begin()
        writer.write(value)
    }
    mutating func encode(_ value: Int) throws {
        try begin()
        writer.write(value)
    }
}
