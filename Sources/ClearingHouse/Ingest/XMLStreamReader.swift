// libxml2's streaming reader (xmlTextReader), hardened for untrusted input and wrapped for
// Swift. Records are read one element at a time: the reader expands one record's subtree,
// the caller walks it as XMLElement values, and libxml2 frees it when the reader moves on,
// so memory does not grow with the file.
import CLibXML2
import Foundation

/// libxml2's global state, initialized once. (chm does not replace libxml2's global
/// external-entity loader: other code in the same process, such as schema validation, may
/// need it. Ingestion is safe without it: a DOCTYPE is refused before libxml2 sees the
/// document, DTD loading and entity substitution are off, and the network is off.)
private let parserInitialized: Bool = {
    xmlInitParser()
    return true
}()

/// Frees memory that libxml2 allocated and handed to us. chm never replaces libxml2's
/// allocator, so its `xmlFree` is the C library's `free` (the `xmlFree` macro itself does not
/// import into Swift).
func xmlRelease(_ pointer: UnsafeMutablePointer<xmlChar>?) {
    guard let pointer else { return }
    free(pointer)
}

/// A libxml2 pointer to a string we own: converted to Swift and freed.
func takeXMLString(_ pointer: UnsafeMutablePointer<xmlChar>?) -> String? {
    guard let pointer else { return nil }
    defer { xmlRelease(pointer) }
    return String(cString: pointer)
}

/// An XML syntax or safety error, with its position.
struct XMLReadError: Error {
    var line: Int?
    var column: Int?
    var message: String
}

/// Collects the first error that libxml2 reports while parsing.
private final class XMLErrorSink {
    var first: XMLReadError?

    func record(_ error: xmlErrorPtr?) {
        guard first == nil, let error else { return }
        guard error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
        var message = error.pointee.message.map { String(cString: $0) } ?? "XML error"
        message = message.trimmingCharacters(in: .whitespacesAndNewlines)
        if error.pointee.code == XML_ERR_ENTITY_LOOP.rawValue || error.pointee.code == XML_ERR_ENTITY_BOUNDARY.rawValue {
            message = "entity expansion refused: " + message
        }
        if message.contains("huge text node") {
            message = "a text field is longer than libxml2's limit of 10,000,000 bytes for one text node "
                + "(the limit stays on to refuse hostile input); shorten the field or send the record as JSON"
        }
        first = XMLReadError(
            line: error.pointee.line > 0 ? Int(error.pointee.line) : nil,
            column: error.pointee.int2 > 0 ? Int(error.pointee.int2) : nil,
            message: message)
    }
}

/// A streaming reader over one XML file.
final class XMLStreamReader {
    /// Parser options: no network, no DTD loading, no entity substitution (references stay
    /// references and are refused), no XML_PARSE_HUGE limits lifted; big line numbers kept.
    private static let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_BIG_LINES.rawValue | XML_PARSE_NOCDATA.rawValue)

    private let reader: xmlTextReaderPtr
    private let errors = XMLErrorSink()

    /// Opens `path`. libxml2 reads it in small chunks as we advance.
    init(path: String) throws(XMLReadError) {
        _ = parserInitialized
        try XMLStreamReader.refuseDocumentTypeDeclaration(path: path)
        guard let reader = xmlReaderForFile(path, nil, XMLStreamReader.options) else {
            throw XMLReadError(line: nil, column: nil, message: "cannot open the file for XML parsing")
        }
        self.reader = reader
        let context = Unmanaged.passUnretained(errors).toOpaque()
        xmlTextReaderSetStructuredErrorHandler(
            reader,
            { context, error in
                guard let context else { return }
                Unmanaged<XMLErrorSink>.fromOpaque(context).takeUnretainedValue().record(error)
            }, context)
    }

    deinit {
        xmlTextReaderClose(reader)
        xmlFreeTextReader(reader)
    }

    /// Looks at the prolog (before the root element) and refuses a `<!DOCTYPE`: records need
    /// no DTD, and refusing it up front means no entity declaration ever reaches libxml2.
    /// Also refuses an empty file with a clear message.
    private static func refuseDocumentTypeDeclaration(path: String) throws(XMLReadError) {
        guard let source = try? ByteSource(path: path) else { return }
        source.skipByteOrderMark()
        // The prolog is short in practice; 64 KiB of comments before the root is plenty.
        var bytes: [UInt8] = []
        while bytes.count < 1 << 16, let byte = source.next() { bytes.append(byte) }
        var index = 0
        var line = 1
        func starts(with text: String) -> Bool {
            let pattern = Array(text.utf8)
            guard index + pattern.count <= bytes.count else { return false }
            return zip(bytes[index..<index + pattern.count], pattern).allSatisfy { a, b in
                a == b || (a >= 0x61 && a <= 0x7A && a - 0x20 == b)
            }
        }
        func skip(past terminator: String) {
            let pattern = Array(terminator.utf8)
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "\n") { line += 1 }
                if bytes[index] == pattern[0], starts(with: terminator) {
                    index += pattern.count
                    return
                }
                index += 1
            }
        }
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\n"):
                line += 1
                index += 1
            case 0x20, 0x09, 0x0D:
                index += 1
            case UInt8(ascii: "<"):
                if starts(with: "<?") {
                    skip(past: "?>")
                } else if starts(with: "<!--") {
                    skip(past: "-->")
                } else if starts(with: "<!DOCTYPE") {
                    throw XMLReadError(
                        line: line, column: nil,
                        message: "DOCTYPE declarations are not allowed: chm never loads DTDs or expands entities; remove the <!DOCTYPE ...>")
                } else {
                    return  // the root element starts here
                }
            default:
                return  // not markup: let libxml2 report it
            }
        }
        if index >= bytes.count, bytes.count < 1 << 16 {
            throw XMLReadError(line: 1, column: nil, message: "file is empty; expected an XML document")
        }
    }

    /// The first error libxml2 reported, or a generic one.
    private func failure() -> XMLReadError {
        errors.first ?? XMLReadError(line: lineNumber, column: nil, message: "malformed XML")
    }

    /// Advances to the next node; false at the end of the document.
    func read() throws(XMLReadError) -> Bool {
        let status = xmlTextReaderRead(reader)
        if status < 0 || errors.first != nil { throw failure() }
        if status == 1 { try refuseUnsafeNode() }
        return status == 1
    }

    /// Skips the current node's subtree and advances to its next sibling (or the next node).
    func next() throws(XMLReadError) -> Bool {
        let status = xmlTextReaderNext(reader)
        if status < 0 || errors.first != nil { throw failure() }
        if status == 1 { try refuseUnsafeNode() }
        return status == 1
    }

    private func refuseUnsafeNode() throws(XMLReadError) {
        switch nodeType {
        case Int32(XML_READER_TYPE_DOCUMENT_TYPE.rawValue):
            throw XMLReadError(line: lineNumber, column: nil, message: "DOCTYPE declarations are not allowed: chm never loads DTDs or expands entities")
        case Int32(XML_READER_TYPE_ENTITY_REFERENCE.rawValue):
            throw XMLReadError(line: lineNumber, column: nil, message: "entity references are not allowed; write the text itself")
        default:
            break
        }
    }

    var nodeType: Int32 { xmlTextReaderNodeType(reader) }
    var depth: Int { Int(xmlTextReaderDepth(reader)) }
    var isElement: Bool { nodeType == Int32(XML_READER_TYPE_ELEMENT.rawValue) }

    /// Local name of the current node.
    var localName: String {
        xmlTextReaderConstLocalName(reader).map { String(cString: $0) } ?? ""
    }

    /// Namespace URI of the current node, if any.
    var namespaceURI: String? {
        xmlTextReaderConstNamespaceUri(reader).map { String(cString: $0) }
    }

    /// The line of the current node.
    var lineNumber: Int {
        if let node = xmlTextReaderCurrentNode(reader) {
            let line = xmlGetLineNo(node)
            if line > 0 { return Int(line) }
        }
        return Int(xmlTextReaderGetParserLineNumber(reader))
    }

    /// Builds the current element's subtree and returns it; valid until the reader moves on.
    func expand() throws(XMLReadError) -> XMLElement {
        guard let node = xmlTextReaderExpand(reader), errors.first == nil else { throw failure() }
        return XMLElement(node: node)
    }
}

/// An element of an expanded subtree (a view over libxml2's node; valid while the reader
/// stays on the subtree).
struct XMLElement {
    let node: xmlNodePtr

    var localName: String { String(cString: node.pointee.name) }
    var namespaceURI: String? { node.pointee.ns.map { String(cString: $0.pointee.href) } }
    var line: Int { Int(xmlGetLineNo(node)) }

    /// An attribute without namespace.
    func attribute(_ name: String) -> String? {
        takeXMLString(xmlGetNoNsProp(node, name))
    }

    /// An attribute in a namespace.
    func attribute(_ name: String, namespace: String) -> String? {
        takeXMLString(xmlGetNsProp(node, name, namespace))
    }

    /// The element's own `xml:lang` attribute.
    var ownLanguage: String? { attribute("lang", namespace: "http://www.w3.org/XML/1998/namespace") }

    /// The `xml:lang` in effect (own, or inherited from an ancestor).
    var effectiveLanguage: String? { takeXMLString(xmlNodeGetLang(node)) }

    /// Names of the attributes that are neither in `known` nor namespace declarations.
    func attributeNames() -> [(name: String, namespace: String?)] {
        var names: [(String, String?)] = []
        var attribute = node.pointee.properties
        while let current = attribute {
            names.append((String(cString: current.pointee.name), current.pointee.ns.map { String(cString: $0.pointee.href) }))
            attribute = current.pointee.next
        }
        return names
    }

    /// The concatenated text of the element and its descendants, white space trimmed.
    var text: String {
        (takeXMLString(xmlNodeGetContent(node)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The child elements in order.
    var children: [XMLElement] {
        var result: [XMLElement] = []
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE { result.append(XMLElement(node: current)) }
            child = current.pointee.next
        }
        return result
    }

    /// Whether the element directly holds non-white-space text (outside child elements).
    var hasOwnText: Bool {
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_TEXT_NODE || current.pointee.type == XML_CDATA_SECTION_NODE,
                let content = current.pointee.content,
                !String(cString: content).allSatisfy(\.isWhitespace)
            {
                return true
            }
            child = current.pointee.next
        }
        return false
    }
}
