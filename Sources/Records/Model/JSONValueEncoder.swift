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
        try node.store(value)
        self = node.jsonValue
    }
}

/// One value being encoded; containers fill it in place. A node knows its key and its
/// parent, so that the coding path (which only an error needs) is not built for every value.
private final class EncodedNode {
    enum Kind {
        case empty, value, object, array
    }

    private(set) var kind = Kind.empty
    private var value = JSONValue.null
    private(set) var members: [(key: String, node: EncodedNode)] = []
    /// Key -> index in `members`, once an object has many (a facet's values).
    private var memberIndex: [String: Int] = [:]
    private(set) var items: [EncodedNode] = []
    /// The key or index under which the parent holds this node (nil for the root).
    let key: (any CodingKey)?
    unowned let parent: EncodedNode?

    init(key: (any CodingKey)? = nil, parent: EncodedNode? = nil) {
        self.key = key
        self.parent = parent
    }

    var codingPath: [any CodingKey] {
        var path: [any CodingKey] = []
        var node: EncodedNode? = self
        while let current = node, let key = current.key {
            path.append(key)
            node = current.parent
        }
        return path.reversed()
    }

    var jsonValue: JSONValue {
        switch kind {
        case .empty: return .object([])
        case .value: return value
        case .object: return .object(members.map { ($0.key, $0.node.jsonValue) })
        case .array: return .array(items.map(\.jsonValue))
        }
    }

    func set(_ value: JSONValue) {
        kind = .value
        self.value = value
        members = []
        memberIndex = [:]
        items = []
    }

    /// Encodes `value` into this node.
    func store<T: Encodable>(_ value: T) throws {
        switch value {
        case let value as String: set(.string(value))
        case let value as Bool: set(.bool(value))
        case let value as Double: set(.double(value))
        case let value as Float: set(.double(Double(value)))
        case let value as Int: set(.number(String(value)))
        case let value as Int8: set(.number(String(value)))
        case let value as Int16: set(.number(String(value)))
        case let value as Int32: set(.number(String(value)))
        case let value as Int64: set(.number(String(value)))
        case let value as UInt: set(.number(String(value)))
        case let value as UInt8: set(.number(String(value)))
        case let value as UInt16: set(.number(String(value)))
        case let value as UInt32: set(.number(String(value)))
        case let value as UInt64: set(.number(String(value)))
        default: try value.encode(to: NodeEncoder(node: self))
        }
    }

    // The common scalars, without the dynamic casts of the generic `store`.
    func store(_ value: String) { set(.string(value)) }
    func store(_ value: Bool) { set(.bool(value)) }
    func store(_ value: Double) { set(.double(value)) }
    func store(_ value: Int) { set(.number(String(value))) }

    /// A new member under `key`: appended, or in place of one written before under that key.
    func member(_ key: any CodingKey) -> EncodedNode {
        becomeObject()
        let child = EncodedNode(key: key, parent: self)
        let name = key.stringValue
        let existing = members.count < 16 ? members.firstIndex { $0.key == name } : memberIndex[name]
        if let existing {
            members[existing].node = child
        } else {
            members.append((name, child))
            if members.count == 16 {
                for (index, member) in members.enumerated() { memberIndex[member.key] = index }
            } else if members.count > 16 {
                memberIndex[name] = members.count - 1
            }
        }
        return child
    }

    /// A new item at the end of this array.
    func item() -> EncodedNode {
        becomeArray()
        let child = EncodedNode(key: IndexKey(items.count), parent: self)
        items.append(child)
        return child
    }

    func becomeObject() {
        guard kind != .object else { return }
        set(.null)
        kind = .object
    }

    func becomeArray() {
        guard kind != .array else { return }
        set(.null)
        kind = .array
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
    var codingPath: [any CodingKey] { node.codingPath }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.becomeObject()
        return KeyedEncodingContainer(KeyedNodeContainer<Key>(node: node))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.becomeArray()
        return UnkeyedNodeContainer(node: node)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleNodeContainer(node: node)
    }
}

private struct KeyedNodeContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: EncodedNode
    var codingPath: [any CodingKey] { node.codingPath }

    mutating func encodeNil(forKey key: Key) throws { node.member(key).set(.null) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try node.member(key).store(value) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { node.member(key).store(value) }
    mutating func encode(_ value: String, forKey key: Key) throws { node.member(key).store(value) }
    mutating func encode(_ value: Double, forKey key: Key) throws { node.member(key).store(value) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try node.member(key).store(value) }
    mutating func encode(_ value: Int, forKey key: Key) throws { node.member(key).store(value) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try node.member(key).store(value) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try node.member(key).store(value) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try node.member(key).store(value) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try node.member(key).store(value) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try node.member(key).store(value) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try node.member(key).store(value) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try node.member(key).store(value) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try node.member(key).store(value) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try node.member(key).store(value) }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let nested = node.member(key)
        nested.becomeObject()
        return KeyedEncodingContainer(KeyedNodeContainer<NestedKey>(node: nested))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = node.member(key)
        nested.becomeArray()
        return UnkeyedNodeContainer(node: nested)
    }

    mutating func superEncoder() -> any Encoder {
        // `super` when the key type has it; otherwise the superclass shares this object.
        guard let key = Key(stringValue: "super") else { return NodeEncoder(node: node) }
        return NodeEncoder(node: node.member(key))
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        NodeEncoder(node: node.member(key))
    }
}

private struct UnkeyedNodeContainer: UnkeyedEncodingContainer {
    let node: EncodedNode
    var codingPath: [any CodingKey] { node.codingPath }
    var count: Int { node.items.count }

    mutating func encodeNil() throws { node.item().set(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws { try node.item().store(value) }
    mutating func encode(_ value: Bool) throws { node.item().store(value) }
    mutating func encode(_ value: String) throws { node.item().store(value) }
    mutating func encode(_ value: Double) throws { node.item().store(value) }
    mutating func encode(_ value: Float) throws { try node.item().store(value) }
    mutating func encode(_ value: Int) throws { node.item().store(value) }
    mutating func encode(_ value: Int8) throws { try node.item().store(value) }
    mutating func encode(_ value: Int16) throws { try node.item().store(value) }
    mutating func encode(_ value: Int32) throws { try node.item().store(value) }
    mutating func encode(_ value: Int64) throws { try node.item().store(value) }
    mutating func encode(_ value: UInt) throws { try node.item().store(value) }
    mutating func encode(_ value: UInt8) throws { try node.item().store(value) }
    mutating func encode(_ value: UInt16) throws { try node.item().store(value) }
    mutating func encode(_ value: UInt32) throws { try node.item().store(value) }
    mutating func encode(_ value: UInt64) throws { try node.item().store(value) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let nested = node.item()
        nested.becomeObject()
        return KeyedEncodingContainer(KeyedNodeContainer<NestedKey>(node: nested))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = node.item()
        nested.becomeArray()
        return UnkeyedNodeContainer(node: nested)
    }

    mutating func superEncoder() -> any Encoder {
        NodeEncoder(node: node.item())
    }
}

private struct SingleNodeContainer: SingleValueEncodingContainer {
    let node: EncodedNode
    var codingPath: [any CodingKey] { node.codingPath }

    mutating func encodeNil() throws { node.set(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws { try node.store(value) }
    mutating func encode(_ value: Bool) throws { node.store(value) }
    mutating func encode(_ value: String) throws { node.store(value) }
    mutating func encode(_ value: Double) throws { node.store(value) }
    mutating func encode(_ value: Float) throws { try node.store(value) }
    mutating func encode(_ value: Int) throws { node.store(value) }
    mutating func encode(_ value: Int8) throws { try node.store(value) }
    mutating func encode(_ value: Int16) throws { try node.store(value) }
    mutating func encode(_ value: Int32) throws { try node.store(value) }
    mutating func encode(_ value: Int64) throws { try node.store(value) }
    mutating func encode(_ value: UInt) throws { try node.store(value) }
    mutating func encode(_ value: UInt8) throws { try node.store(value) }
    mutating func encode(_ value: UInt16) throws { try node.store(value) }
    mutating func encode(_ value: UInt32) throws { try node.store(value) }
    mutating func encode(_ value: UInt64) throws { try node.store(value) }
}

/// A key for members whose names are data (facet values, kinds, languages).
package struct DynamicKey: CodingKey {
    package var stringValue: String
    package var intValue: Int? { nil }
    package init(_ name: String) { stringValue = name }
    package init?(stringValue: String) { self.stringValue = stringValue }
    package init?(intValue: Int) { return nil }
}
