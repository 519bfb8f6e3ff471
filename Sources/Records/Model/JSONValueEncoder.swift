// An Encoder whose output is a JSONValue, so that the Codable documents of the library
// (search responses, reports) print exactly as chm prints them: members in the order
// `encode(to:)` writes them, numbers as `JSONValue.integer` and `JSONValue.double` write them.
//
// Foundation's JSONEncoder on Linux (swift-foundation, Swift 6.3) happens to keep the order
// too, but escapes `/` by default and formats numbers its own way; neither is a promise. With
// this encoder, every front end that prints a document through ``JSONValue/init(encoding:)``
// writes the same bytes as chm.

extension JSONValue {
    /// The JSON document of `value`, with object members in the order its `encode(to:)`
    /// writes them: the form `chm --json` prints (`JSONValue(encoding: response).description`).
    ///
    /// Integers are written as they are, floating-point numbers as ``double(_:)`` writes them
    /// (non-finite ones as `null`).
    /// - Throws: what `value`'s `encode(to:)` throws.
    public init(encoding value: some Encodable) throws {
        let node = EncodedNode()
        try node.store(value, codingPath: [])
        self = node.jsonValue
    }
}

/// One value being encoded; containers fill it in place.
private final class EncodedNode {
    enum Content {
        case empty
        case value(JSONValue)
        case object([(key: String, node: EncodedNode)])
        case array([EncodedNode])
    }

    var content: Content = .empty

    var jsonValue: JSONValue {
        switch content {
        case .empty: return .object([])
        case .value(let value): return value
        case .object(let members): return .object(members.map { ($0.key, $0.node.jsonValue) })
        case .array(let items): return .array(items.map(\.jsonValue))
        }
    }

    /// Encodes `value` into this node.
    func store<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws {
        switch value {
        case let value as String: content = .value(.string(value))
        case let value as Bool: content = .value(.bool(value))
        case let value as Double: content = .value(.double(value))
        case let value as Float: content = .value(.double(Double(value)))
        case let value as Int: content = .value(.number(String(value)))
        case let value as Int8: content = .value(.number(String(value)))
        case let value as Int16: content = .value(.number(String(value)))
        case let value as Int32: content = .value(.number(String(value)))
        case let value as Int64: content = .value(.number(String(value)))
        case let value as UInt: content = .value(.number(String(value)))
        case let value as UInt8: content = .value(.number(String(value)))
        case let value as UInt16: content = .value(.number(String(value)))
        case let value as UInt32: content = .value(.number(String(value)))
        case let value as UInt64: content = .value(.number(String(value)))
        default: try value.encode(to: NodeEncoder(node: self, codingPath: codingPath))
        }
    }

    /// Members are appended (or replaced, for a key written twice) in order.
    func setMember(_ key: String, _ child: EncodedNode) {
        guard case .object(var members) = content else {
            content = .object([(key, child)])
            return
        }
        if let index = members.firstIndex(where: { $0.key == key }) {
            members[index].node = child
        } else {
            members.append((key, child))
        }
        content = .object(members)
    }

    func appendItem(_ child: EncodedNode) {
        guard case .array(var items) = content else {
            content = .array([child])
            return
        }
        items.append(child)
        content = .array(items)
    }

    func becomeObject() {
        if case .object = content { return }
        content = .object([])
    }

    func becomeArray() {
        if case .array = content { return }
        content = .array([])
    }
}

private struct IndexKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(_ index: Int) {
        stringValue = "Index \(index)"
        intValue = index
    }
    init?(stringValue: String) { return nil }
    init?(intValue: Int) { self.init(intValue) }
}

private struct NodeEncoder: Encoder {
    let node: EncodedNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.becomeObject()
        return KeyedEncodingContainer(KeyedNodeContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.becomeArray()
        return UnkeyedNodeContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleNodeContainer(node: node, codingPath: codingPath)
    }
}

private struct KeyedNodeContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: EncodedNode
    let codingPath: [any CodingKey]

    private func child(_ key: Key) -> EncodedNode {
        let child = EncodedNode()
        node.setMember(key.stringValue, child)
        return child
    }

    mutating func encodeNil(forKey key: Key) throws { child(key).content = .value(.null) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try child(key).store(value, codingPath: codingPath + [key])
    }
    mutating func encode(_ value: Bool, forKey key: Key) throws { try encode(value, as: key) }
    mutating func encode(_ value: String, forKey key: Key) throws { try encode(value, as: key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try encode(value, as: key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try encode(value, as: key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try encode(value, as: key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try encode(value, as: key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try encode(value, as: key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try encode(value, as: key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try encode(value, as: key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try encode(value, as: key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try encode(value, as: key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try encode(value, as: key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try encode(value, as: key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try encode(value, as: key) }

    private func encode<T: Encodable>(_ value: T, as key: Key) throws {
        try child(key).store(value, codingPath: codingPath + [key])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let nested = child(key)
        nested.becomeObject()
        return KeyedEncodingContainer(KeyedNodeContainer<NestedKey>(node: nested, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = child(key)
        nested.becomeArray()
        return UnkeyedNodeContainer(node: nested, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder {
        // `super` when the key type has it; otherwise the superclass shares this object.
        guard let key = Key(stringValue: "super") else { return NodeEncoder(node: node, codingPath: codingPath) }
        return NodeEncoder(node: child(key), codingPath: codingPath + [key])
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        NodeEncoder(node: child(key), codingPath: codingPath + [key])
    }
}

private struct UnkeyedNodeContainer: UnkeyedEncodingContainer {
    let node: EncodedNode
    let codingPath: [any CodingKey]

    var count: Int {
        guard case .array(let items) = node.content else { return 0 }
        return items.count
    }

    private func next() -> EncodedNode {
        let child = EncodedNode()
        node.appendItem(child)
        return child
    }

    mutating func encodeNil() throws { next().content = .value(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        let key = IndexKey(count)
        try next().store(value, codingPath: codingPath + [key])
    }
    mutating func encode(_ value: Bool) throws { try store(value) }
    mutating func encode(_ value: String) throws { try store(value) }
    mutating func encode(_ value: Double) throws { try store(value) }
    mutating func encode(_ value: Float) throws { try store(value) }
    mutating func encode(_ value: Int) throws { try store(value) }
    mutating func encode(_ value: Int8) throws { try store(value) }
    mutating func encode(_ value: Int16) throws { try store(value) }
    mutating func encode(_ value: Int32) throws { try store(value) }
    mutating func encode(_ value: Int64) throws { try store(value) }
    mutating func encode(_ value: UInt) throws { try store(value) }
    mutating func encode(_ value: UInt8) throws { try store(value) }
    mutating func encode(_ value: UInt16) throws { try store(value) }
    mutating func encode(_ value: UInt32) throws { try store(value) }
    mutating func encode(_ value: UInt64) throws { try store(value) }

    private func store<T: Encodable>(_ value: T) throws {
        let key = IndexKey(count)
        try next().store(value, codingPath: codingPath + [key])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let key = IndexKey(count)
        let nested = next()
        nested.becomeObject()
        return KeyedEncodingContainer(KeyedNodeContainer<NestedKey>(node: nested, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let key = IndexKey(count)
        let nested = next()
        nested.becomeArray()
        return UnkeyedNodeContainer(node: nested, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder {
        let key = IndexKey(count)
        return NodeEncoder(node: next(), codingPath: codingPath + [key])
    }
}

private struct SingleNodeContainer: SingleValueEncodingContainer {
    let node: EncodedNode
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.content = .value(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws { try node.store(value, codingPath: codingPath) }
    mutating func encode(_ value: Bool) throws { try node.store(value, codingPath: codingPath) }
    mutating func encode(_ value: String) throws { try node.store(value, codingPath: codingPath) }
    mutating func encode(_ value: Double) throws { try node.store(value, codingPath: codingPath) }
    mutating func encode(_ value: Float) throws { try node.store(value, codingPath: codingPath) }
    mutating func encode(_ value: Int) throws { try node.store(value, codingPath: codingPath) }
    mutating func encode(_ value: Int8) throws { try node.store(value, codingPath: codingPath) }
    mutating func encode(_ value: Int16) throws { try node.store(value, codingPath: codingPath) }
    mutating func encode(_ value: Int32) throws { try node.store(value, codingPath: codingPath) }
    mutating func encode(_ value: Int64) throws { try node.store(value, codingPath: codingPath) }
    mutating func encode(_ value: UInt) throws { try node.store(value, codingPath: codingPath) }
    mutating func encode(_ value: UInt8) throws { try node.store(value, codingPath: codingPath) }
    mutating func encode(_ value: UInt16) throws { try node.store(value, codingPath: codingPath) }
    mutating func encode(_ value: UInt32) throws { try node.store(value, codingPath: codingPath) }
    mutating func encode(_ value: UInt64) throws { try node.store(value, codingPath: codingPath) }
}

/// A key for members whose names are data (facet values, kinds, languages).
package struct DynamicKey: CodingKey {
    package var stringValue: String
    package var intValue: Int? { nil }
    package init(_ name: String) { stringValue = name }
    package init?(stringValue: String) { self.stringValue = stringValue }
    package init?(intValue: Int) { return nil }
}
