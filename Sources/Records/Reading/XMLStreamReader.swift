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

/// An XML syntax or safety error, with its position (and the record and field, when known).
package struct XMLReadError: Error {
    /// Where the error is, when known.
    package var line: Int?
    package var column: Int?
    /// The record and field concerned, when known.
    package var recordID: String? = nil
    package var field: String? = nil
    /// What is wrong.
    package var message: String
    /// Whether the document went past one of libxml2's limits (a text, name, comment or
    /// attribute value too long, elements nested too deep) rather than breaking XML's rules:
    /// the same bytes fail the same way however often they are read.
    package var exceedsParserLimits = false
}

/// libxml2's messages as chm reports them.
package enum XMLMessages {
    /// libxml2's message in words a reader can act on: its advice to programmers (`use
    /// XML_PARSE_HUGE option`) and internal names left out, one line.
    package static func plain(_ message: String) -> String {
        if message.hasPrefix("Excessive depth in document") {
            return "the nesting depth of elements is over 256, the most chm reads"
        }
        if message.contains("Huge input lookup") {
            return "a name, text or attribute value longer than the XML parser reads"
        }
        if message == "Document is empty" {
            return "no XML element where the document should start (is it XML?)"
        }
        if message.hasPrefix("Input is not proper UTF-8") {
            // "Input is not proper UTF-8, indicate encoding !\nBytes: 0xE9 0x20 0x73 0x6F"
            let bytes = message.range(of: "Bytes:").map { String(message[$0.upperBound...]).trimmingCharacters(in: .whitespacesAndNewlines) }
            return "the text is not UTF-8" + (bytes.map { " (bytes \($0))" } ?? "")
                + "; declare the file's encoding (<?xml version=\"1.0\" encoding=\"windows-1252\"?>) or re-encode it as UTF-8"
        }
        if message.hasPrefix("Entity '"), message.hasSuffix("' not defined") {
            let name = message.dropFirst("Entity '".count).dropLast("' not defined".count)
            return "the entity &\(name); is not defined (XML has only &amp; &lt; &gt; &quot; &apos;); write the character itself or as a number (&#233; for é)"
        }
        if message.hasPrefix("xmlParseCharRef: invalid xmlChar value ") {
            let value = message.dropFirst("xmlParseCharRef: invalid xmlChar value ".count)
            return "the character reference &#\(value); names a character that XML does not allow (a control character other than tab and line breaks); remove it"
        }
        if message == "EntityRef: expecting ';'" {
            return "an & that begins no entity: write a literal & as &amp;"
        }
        if message.hasPrefix("AttValue: \" or ' expected") {
            return "an attribute's value is not in quotes: write name=\"value\""
        }
        if message.hasPrefix("Unsupported encoding ") {
            let name = message.dropFirst("Unsupported encoding ".count)
            return "the encoding \(name) that the XML declaration names is not one the parser knows; declare UTF-8, UTF-16, ISO-8859-1 or windows-1252, or re-encode the file as UTF-8"
        }
        return message.split(whereSeparator: \.isNewline).joined(separator: "; ")
    }
}

/// Collects the first error that libxml2 reports while parsing.
private final class XMLErrorSink {
    var first: XMLReadError?
    /// The document being built when the first error came (owned by the reader).
    var document: xmlDocPtr?
    /// The element the parser was in when the first error came: the error is inside it (nil
    /// or the root: between the root's children).
    var openElement: xmlNodePtr?

    func record(_ error: xmlErrorPtr?) {
        guard first == nil, let error else { return }
        guard error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
        let context = error.pointee.ctxt?.assumingMemoryBound(to: xmlParserCtxt.self)
        document = context?.pointee.myDoc
        openElement = context?.pointee.node
        var message = error.pointee.message.map { String(cString: $0) } ?? "XML error"
        message = XMLMessages.plain(message.trimmingCharacters(in: .whitespacesAndNewlines))
        if error.pointee.code == XML_ERR_ENTITY_LOOP.rawValue || error.pointee.code == XML_ERR_ENTITY_BOUNDARY.rawValue {
            message = "entity expansion refused: " + message
        }
        var line = error.pointee.line > 0 ? Int(error.pointee.line) : nil
        var column = error.pointee.int2 > 0 ? Int(error.pointee.int2) : nil
        // libxml2's streaming reader says "Extra content at the end of the document" where the
        // input ends inside an element (xmllint reads the same file as "Premature end of
        // data"): a file cut off mid-transfer. (Content after the root's end tag comes with no
        // element open.)
        if error.pointee.code == XML_ERR_DOCUMENT_END.rawValue, let open = openElement, open.pointee.type == XML_ELEMENT_NODE {
            let name = String(cString: open.pointee.name)
            let opened = Int(xmlGetLineNo(open))
            message =
                "the file ends before <\(name)>\(opened > 0 ? " (line \(opened))" : "") is closed: it looks cut off (truncated); what was read before this point is complete"
        }
        var recordID: String?
        var field: String?
        let isHugeAttribute = message.contains("AttValue length too long")
        if message.contains("huge text node") || isHugeAttribute {
            // libxml2's limit for one text node or attribute value (XML_MAX_TEXT_LENGTH,
            // 10,000,000 bytes) is chm's text limit in every format: the same message as
            // JSON's, at the element whose text is too long, naming its record and field.
            message = RecordLimits.default.textTooLongMessage
            let parser = error.pointee.ctxt?.assumingMemoryBound(to: xmlParserCtxt.self)
            if let node = parser?.pointee.node {
                let place = Self.place(of: node, isText: !isHugeAttribute)
                recordID = place.recordID
                field = place.field
                if let elementLine = place.line {
                    line = elementLine
                    column = nil
                }
            }
        }
        if recordID == nil, let parser = error.pointee.ctxt?.assumingMemoryBound(to: xmlParserCtxt.self), let node = parser.pointee.node {
            // The record being parsed, so that the error names it.
            recordID = Self.place(of: node, isText: false).recordID
        }
        let exceedsLimits =
            message.contains("huge text node") || isHugeAttribute || message == RecordLimits.default.textTooLongMessage
            || message.hasPrefix("the nesting depth") || message.contains("longer than the XML parser reads")
            || message.contains("too big found")
        first = XMLReadError(
            line: line, column: column, recordID: recordID, field: field, message: message, exceedsParserLimits: exceedsLimits)
    }

    /// The record (its `id`, or an OAI-PMH header's identifier) and field that `node` (the
    /// element being parsed) belongs to. For text (not an attribute), the element is the
    /// field and its line is the field's line.
    private static func place(of node: xmlNodePtr, isText: Bool) -> (recordID: String?, field: String?, line: Int?) {
        var current: xmlNodePtr? = node
        while let element = current, element.pointee.type == XML_ELEMENT_NODE {
            if String(cString: element.pointee.name) == "record" {
                let record = XMLElement(node: element)
                let header = record.children.first { $0.localName == "header" }
                let id = record.attribute("id") ?? header?.children.first { $0.localName == "identifier" }?.text
                var field: String?
                if isText, element != node {
                    let name = String(cString: node.pointee.name)
                    let namespace = node.pointee.ns.map { String(cString: $0.pointee.href) }
                    let prefix = node.pointee.ns?.pointee.prefix.map { String(cString: $0) + ":" } ?? ""
                    field = prefix + name
                    // Localized text is named by its language, as the same record in JSON is
                    // (`description.en`).
                    if namespace == XMLNamespace.records, ["title", "summary", "description"].contains(name),
                        let language = takeXMLString(xmlNodeGetLang(node))
                    {
                        field = name + "." + language
                    }
                }
                let line = isText ? Int(xmlGetLineNo(node)) : 0
                return (id.flatMap { RecordValidator.isValidID($0) ? $0 : nil }, field, line > 0 ? line : nil)
            }
            current = element.pointee.parent
        }
        return (nil, nil, nil)
    }
}

/// The bytes of an XML file as libxml2 reads them, with each lone `\r` turned into `\n` and
/// each control character that XML 1.0 does not allow turned into a space.
///
/// A control character (U+0001-U+001F other than tab and line breaks, often U+000B or U+000C
/// pasted from a word processor) makes a whole document unreadable to an XML parser. A
/// provider's page cannot be fixed by the harvester, so one such character in one title
/// stopped every harvest at that page. It is read as a space, and the reader warns once per
/// file (``replacedControlCharacters``, ``firstControlCharacterLine``).
///
/// XML reads `\r\n` and a lone `\r` as one line break (XML 1.0, section 2.11), and libxml2
/// does so for the text it parses; but libxml2 2.9 counts lines only at `\n`, so every
/// position in a file with old Mac OS line endings would be reported on line 1. Turning a
/// lone `\r` into `\n` first changes nothing that XML sees, and fixes the lines.
final class XMLFileInput {
    /// The file read, or -1 when the bytes are in memory.
    private let descriptor: Int32
    /// The bytes in memory (when there is no file), and how many have been read.
    private let bytes: [UInt8]
    private var bytesOffset = 0
    /// A `\r` that ended the previous chunk, held back until the byte after it is known.
    private var heldCarriageReturn = false
    /// Bytes handed to libxml2 so far.
    private(set) var delivered = 0
    /// Control characters read as spaces, and the line of the first (1-based).
    private(set) var replacedControlCharacters = 0
    private(set) var firstControlCharacterLine = 0
    /// Line breaks handed over, counted until the first control character is found.
    private var linesBefore = 0
    /// Whether the text is UTF-16 or UTF-32 (a byte order mark, or `<` beside a NUL byte at
    /// the start): its bytes are no characters of their own, so neither a lone `\r` nor a
    /// control character is rewritten (`Д`, U+0414, is the bytes 14 04 in UTF-16LE).
    private var isWide: Bool?
    /// Limits on an element being expanded, which libxml2 builds whole in memory: reading
    /// fails once more than `bytes` have been handed over in all, or more than `elements`
    /// start tags since the fence was set, so that libxml2 stops building it.
    var fence: (bytes: Int, elements: Int)? {
        didSet { elements = 0 }
    }
    /// Start tags (a `<` not followed by `/`) handed over since the fence was set.
    private var elements = 0
    /// Why reading failed at the fence, if it did.
    private(set) var stoppedAtFence: StopReason?

    enum StopReason {
        case bytes, elements
    }

    init(path: String) throws(SourceOpenError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SourceOpenError(errno: errno) }
        self.descriptor = descriptor
        bytes = []
    }

    /// Reads `bytes`, already in memory.
    init(bytes: [UInt8]) {
        descriptor = -1
        self.bytes = bytes
    }

    deinit { if descriptor >= 0 { close(descriptor) } }

    /// Copies up to `count` of the next input bytes into `buffer`: `read(2)`'s contract.
    private func readInput(_ buffer: UnsafeMutablePointer<CChar>, _ count: Int) -> Int {
        guard descriptor < 0 else { return readFile(descriptor, buffer, count) }
        let taken = min(count, bytes.count - bytesOffset)
        bytes.withUnsafeBytes { source in
            if taken > 0, let base = source.baseAddress {
                UnsafeMutableRawPointer(buffer).copyMemory(from: base + bytesOffset, byteCount: taken)
            }
        }
        bytesOffset += taken
        return taken
    }

    /// The start tags in `count` bytes: each `<` not followed by `/` (an element, or a
    /// comment or processing instruction, which cost nodes too).
    private static func startTags(_ buffer: UnsafeMutablePointer<CChar>, _ count: Int) -> Int {
        var found = 0
        var offset = 0
        while offset < count, let hit = memchr(buffer + offset, 0x3C, count - offset) {
            let index = buffer.distance(to: hit.assumingMemoryBound(to: CChar.self))
            if index + 1 >= count || buffer[index + 1] != 0x2F { found += 1 }
            offset = index + 1
        }
        return found
    }

    /// Turns the control characters of `count` bytes that XML does not allow into spaces.
    /// (In UTF-8, these bytes are never part of a longer character.)
    private func replaceControlCharacters(_ buffer: UnsafeMutablePointer<CChar>, _ count: Int) {
        let bytes = UnsafeMutableRawPointer(buffer).assumingMemoryBound(to: UInt8.self)
        for index in 0..<count where bytes[index] < 0x20 {
            let byte = bytes[index]
            if byte == 0x0A {
                if replacedControlCharacters == 0 { linesBefore += 1 }
                continue
            }
            guard byte != 0x09, byte != 0x0D else { continue }
            // (NUL stays: a file with NUL bytes is UTF-16 or binary, which libxml2 says.)
            guard byte != 0x00 else { continue }
            if replacedControlCharacters == 0 { firstControlCharacterLine = linesBefore + 1 }
            replacedControlCharacters += 1
            bytes[index] = 0x20
        }
    }

    /// Fills `buffer` with up to `length` bytes; 0 at the end of the file, -1 on an error.
    func read(into buffer: UnsafeMutablePointer<CChar>, length: Int) -> Int32 {
        guard length >= 2 else { return -1 }
        if let fence {
            if delivered > fence.bytes { stoppedAtFence = .bytes }
            if elements > fence.elements { stoppedAtFence = .elements }
            if stoppedAtFence != nil { return -1 }
        }
        while true {
            var start = 0
            if heldCarriageReturn {
                buffer[0] = 0x0D
                start = 1
                heldCarriageReturn = false
            }
            var got: Int
            repeat {
                got = readInput(buffer + start, length - start)
            } while got < 0 && errno == EINTR
            guard got >= 0 else { return -1 }
            var total = start + got
            if isWide == nil, total >= 2 {
                let (first, second) = (UInt8(bitPattern: buffer[0]), UInt8(bitPattern: buffer[1]))
                isWide = (first == 0xFF && second == 0xFE) || (first == 0xFE && second == 0xFF) || (first == 0x00 && second == 0x00)
                    || (first == 0x3C && second == 0x00) || (first == 0x00 && second == 0x3C)
            }
            if isWide != true {
                var offset = 0
                while offset < total, let found = memchr(buffer + offset, 0x0D, total - offset) {
                    let index = buffer.distance(to: found.assumingMemoryBound(to: CChar.self))
                    if index + 1 < total {
                        if buffer[index + 1] != 0x0A { buffer[index] = 0x0A }
                    } else if got == 0 {
                        buffer[index] = 0x0A  // a \r at the end of the file
                    } else {
                        heldCarriageReturn = true  // its next byte comes with the next chunk
                        total -= 1
                    }
                    offset = index + 1
                }
                replaceControlCharacters(buffer, total)
            }
            // Returning 0 would mean the end of the file: read on past a held-back \r.
            if total > 0 || !heldCarriageReturn {
                delivered += total
                if fence != nil { elements += Self.startTags(buffer, total) }
                return Int32(total)
            }
        }
    }
}

/// `read(2)` (named apart from ``XMLFileInput/read(into:length:)``, which would hide it).
private func readFile(_ descriptor: Int32, _ buffer: UnsafeMutablePointer<CChar>, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}

/// A streaming reader over one XML file (or XML bytes in memory).
package final class XMLStreamReader {
    /// Parser options: no network, no DTD loading, no entity substitution (references stay
    /// references and are refused), no XML_PARSE_HUGE limits lifted; big line numbers kept.
    private static let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_BIG_LINES.rawValue | XML_PARSE_NOCDATA.rawValue)

    private let reader: xmlTextReaderPtr
    private let errors = XMLErrorSink()
    private let input: XMLFileInput
    private let limits: RecordLimits

    /// Opens `path`. libxml2 reads it in small chunks as we advance; an element expanded
    /// with ``expand()`` may not grow past `limits.maximumRecordBytes`.
    package convenience init(path: String, limits: RecordLimits = .default) throws(XMLReadError) {
        try self.init(input: .path(path), limits: limits)
    }

    /// Opens a file or bytes in memory, as ``init(path:limits:)`` opens a file.
    init(input source: RecordInput, limits: RecordLimits = .default) throws(XMLReadError) {
        _ = parserInitialized
        let input: XMLFileInput
        let path: String?  // (libxml2's base URL of the document)
        switch source {
        case .path(let file):
            path = file
            try XMLStreamReader.refuseDocumentTypeDeclaration(in: try? ByteSource(path: file))
            do {
                input = try XMLFileInput(path: file)
            } catch {
                throw XMLReadError(line: nil, column: nil, message: "cannot read file: \(error)")
            }
        case .bytes(let bytes):
            path = nil
            try XMLStreamReader.refuseDocumentTypeDeclaration(in: ByteSource(bytes: bytes))
            input = XMLFileInput(bytes: bytes)
        }
        let context = Unmanaged.passUnretained(input).toOpaque()
        let read: xmlInputReadCallback = { context, buffer, length in
            guard let context, let buffer else { return -1 }
            return Unmanaged<XMLFileInput>.fromOpaque(context).takeUnretainedValue().read(into: buffer, length: Int(length))
        }
        guard let reader = xmlReaderForIO(read, nil, context, path, nil, XMLStreamReader.options) else {
            throw XMLReadError(line: nil, column: nil, message: "cannot open the file for XML parsing")
        }
        self.input = input
        self.limits = limits
        self.reader = reader
        xmlTextReaderSetStructuredErrorHandler(
            reader,
            { context, error in
                guard let context else { return }
                Unmanaged<XMLErrorSink>.fromOpaque(context).takeUnretainedValue().record(error)
            }, Unmanaged.passUnretained(errors).toOpaque())
    }

    deinit {
        xmlTextReaderClose(reader)
        xmlFreeTextReader(reader)
    }

    /// Looks at the prolog (before the root element) and refuses a `<!DOCTYPE`: records need
    /// no DTD, and refusing it up front means no entity declaration ever reaches libxml2.
    /// Also refuses an empty file with a clear message.
    private static func refuseDocumentTypeDeclaration(in source: ByteSource?) throws(XMLReadError) {
        guard let source else { return }
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
        /// Whether the byte at `index` ends a line: `\n`, or a `\r` not followed by `\n` (XML
        /// reads `\r\n` and a lone `\r` as one line break).
        func endsLine() -> Bool {
            bytes[index] == UInt8(ascii: "\n")
                || (bytes[index] == UInt8(ascii: "\r") && (index + 1 >= bytes.count || bytes[index + 1] != UInt8(ascii: "\n")))
        }
        func skip(past terminator: String) {
            let pattern = Array(terminator.utf8)
            while index < bytes.count {
                if endsLine() { line += 1 }
                if bytes[index] == pattern[0], starts(with: terminator) {
                    index += pattern.count
                    return
                }
                index += 1
            }
        }
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D:
                if endsLine() { line += 1 }
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
    package func read() throws(XMLReadError) -> Bool {
        let status = xmlTextReaderRead(reader)
        if status < 0 || errors.first != nil { throw failure() }
        if status == 1 { try refuseUnsafeNode() }
        return status == 1
    }

    /// Skips the current node's subtree and advances to its next sibling (or the next node).
    package func next() throws(XMLReadError) -> Bool {
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

    /// The current node's type (`XML_READER_TYPE_...`).
    package var nodeType: Int32 { xmlTextReaderNodeType(reader) }
    /// The current node's depth (the root element is at 0).
    package var depth: Int { Int(xmlTextReaderDepth(reader)) }
    /// Whether the current node is a start tag.
    package var isElement: Bool { nodeType == Int32(XML_READER_TYPE_ELEMENT.rawValue) }

    /// Local name of the current node.
    package var localName: String {
        xmlTextReaderConstLocalName(reader).map { String(cString: $0) } ?? ""
    }

    /// Namespace URI of the current node, if any.
    package var namespaceURI: String? {
        xmlTextReaderConstNamespaceUri(reader).map { String(cString: $0) }
    }

    /// The line of the current node.
    package var lineNumber: Int {
        if let node = xmlTextReaderCurrentNode(reader) {
            let line = xmlGetLineNo(node)
            if line > 0 { return Int(line) }
        }
        return Int(xmlTextReaderGetParserLineNumber(reader))
    }

    /// Bytes of the file read so far (libxml2 reads ahead of the node it is on, in 4 KB reads).
    package var bytesRead: Int { input.delivered }

    /// The warning for the control characters read as spaces so far (see ``XMLFileInput``),
    /// or nil when there were none.
    package var controlCharacterWarning: (line: Int, message: String)? {
        guard input.replacedControlCharacters > 0 else { return nil }
        let count = input.replacedControlCharacters
        let message =
            count == 1
            ? "a control character that XML does not allow was read as a space"
            : "\(count) control characters that XML does not allow (the first on this line) were read as spaces"
        return (input.firstControlCharacterLine, message)
    }

    /// The namespace and local name of the root element of the document that an error
    /// stopped, if it has one.
    package var rootOfFailedDocument: (namespace: String?, name: String)? {
        guard let document = errors.document, let root = xmlDocGetRootElement(document) else { return nil }
        let element = XMLElement(node: root)
        return (element.namespaceURI, element.localName)
    }

    /// The children of the root element that libxml2 parsed whole before the error that
    /// stopped reading, after `last` (the last child handed over: its node, line and id), or
    /// from the first when nothing was. Call it after ``read()`` or ``next()`` threw.
    ///
    /// The parser reads ahead of the node the reader is on (a chunk of up to 4 KB), so the
    /// records just before a syntax error were parsed whole and never visited: they were lost
    /// with the rest of the file. The children before the one the parser was in when the
    /// error came are whole; that one, and any after it (a namespace error lets the parser go
    /// on), are not handed over. (The reader frees the children it has passed, in order, and
    /// unlinks them from the tree, so the node of `last` is compared with its line and id.)
    package func childrenOfRootFinishedBeforeFailure(after last: (node: XMLElement, line: Int, id: String?)?) -> [XMLElement] {
        guard let document = errors.document, let root = xmlDocGetRootElement(document) else { return [] }
        // The root's child that holds the error (nil: the parser was at the root's level).
        var broken = errors.openElement == root ? nil : errors.openElement
        while let node = broken, node.pointee.parent != root { broken = node.pointee.parent }
        var finished: [XMLElement] = []
        var child = root.pointee.children
        while let node = child, node != broken {
            if node.pointee.type == XML_ELEMENT_NODE {
                let element = XMLElement(node: node)
                if let last, node == last.node.node, element.line == last.line, element.attribute("id") == last.id {
                    finished.removeAll()  // handed over already, as was everything before it
                } else {
                    finished.append(element)
                }
            }
            child = node.pointee.next
        }
        return finished
    }

    /// Builds the current element's subtree and returns it; valid until the reader moves on.
    ///
    /// libxml2 builds the whole subtree in memory, so reading stops as soon as more than
    /// ``RecordLimits/maximumRecordBytes`` of the file have been read for it, or it has more
    /// than ``RecordLimits/maximumValuesPerRecord`` elements (give or take libxml2's reads of
    /// 4 KB): an element that big is refused, and the file stops there.
    package func expand() throws(XMLReadError) -> XMLElement {
        let line = lineNumber
        let recordID = takeXMLString(xmlTextReaderGetAttribute(reader, "id")).flatMap {
            RecordValidator.isValidID($0) ? $0 : nil
        }
        input.fence = (input.delivered + limits.maximumRecordBytes, limits.maximumValuesPerRecord)
        defer { input.fence = nil }
        guard let node = xmlTextReaderExpand(reader), errors.first == nil, input.stoppedAtFence == nil else {
            switch input.stoppedAtFence {
            case .bytes?:
                throw XMLReadError(line: line, column: nil, recordID: recordID, message: limits.recordTooLongMessage)
            case .elements?:
                throw XMLReadError(line: line, column: nil, recordID: recordID, message: limits.tooManyValuesMessage)
            case nil:
                throw failure()
            }
        }
        return XMLElement(node: node)
    }
}

/// An element of an expanded subtree (a view over libxml2's node; valid while the reader
/// stays on the subtree).
package struct XMLElement {
    let node: xmlNodePtr

    /// The element's name without its prefix.
    package var localName: String { String(cString: node.pointee.name) }
    /// The element's namespace, if any.
    package var namespaceURI: String? { node.pointee.ns.map { String(cString: $0.pointee.href) } }
    /// The line of the element's start tag.
    package var line: Int { Int(xmlGetLineNo(node)) }

    /// An attribute without namespace.
    package func attribute(_ name: String) -> String? {
        takeXMLString(xmlGetNoNsProp(node, name))
    }

    /// An attribute in a namespace.
    package func attribute(_ name: String, namespace: String) -> String? {
        takeXMLString(xmlGetNsProp(node, name, namespace))
    }

    /// The element's own `xml:lang` attribute.
    package var ownLanguage: String? { attribute("lang", namespace: "http://www.w3.org/XML/1998/namespace") }

    /// The `xml:lang` in effect (own, or inherited from an ancestor).
    package var effectiveLanguage: String? { takeXMLString(xmlNodeGetLang(node)) }

    /// The `xml:base` in effect (own, or an ancestor's, each resolved against the one above
    /// it), nil when none is given (the file's own location is never a base).
    package var effectiveBase: String? {
        var bases: [String] = []
        var current: xmlNodePtr? = node
        while let element = current, element.pointee.type == XML_ELEMENT_NODE {
            if let base = takeXMLString(xmlGetNsProp(element, "base", "http://www.w3.org/XML/1998/namespace")) { bases.append(base) }
            current = element.pointee.parent
        }
        var resolved: String?
        for base in bases.reversed() {
            resolved = resolved.map { XMLElement.resolve(base, against: $0) } ?? base
        }
        return resolved
    }

    /// `reference` (an IRI, perhaps relative) resolved against `base` as RFC 3986 says. libxml2
    /// resolves what it can parse; when it cannot parse one of the two (a space, say) it gives
    /// the reference back unchanged, and the merge of RFC 3986 section 5.2 is done here
    /// (without removing dot segments), so that the reference still belongs to its base.
    package static func resolve(_ reference: String, against base: String) -> String {
        if hasScheme(reference) { return reference }
        if let resolved = takeXMLString(xmlBuildURI(reference, base)), resolved != reference { return resolved }
        guard let schemeEnd = base.firstIndex(of: ":") else { return reference }
        let scheme = base[..<schemeEnd]
        let rest = base[base.index(after: schemeEnd)...]
        // The base without its fragment, and without its query.
        let withoutFragment = base.firstIndex(of: "#").map { String(base[..<$0]) } ?? base
        let withoutQuery = withoutFragment.firstIndex(of: "?").map { String(withoutFragment[..<$0]) } ?? withoutFragment
        if reference.hasPrefix("//") { return scheme + ":" + reference }
        if reference.hasPrefix("#") { return withoutFragment + reference }
        if reference.hasPrefix("?") { return withoutQuery + reference }
        // The authority (`//host`), when the base has one, and the path after it.
        var authority = ""
        var path = String(withoutQuery[withoutQuery.index(withoutQuery.startIndex, offsetBy: scheme.count + 1)...])
        if rest.hasPrefix("//") {
            let afterSlashes = path.index(path.startIndex, offsetBy: 2)
            let pathStart = path[afterSlashes...].firstIndex(of: "/") ?? path.endIndex
            authority = String(path[..<pathStart])
            path = String(path[pathStart...])
        }
        if reference.hasPrefix("/") { return scheme + ":" + authority + reference }
        let directory = path.lastIndex(of: "/").map { String(path[...$0]) } ?? (authority.isEmpty ? "" : "/")
        return scheme + ":" + authority + directory + reference
    }

    /// Whether `text` starts with a URI scheme (`http:`, `urn:`).
    private static func hasScheme(_ text: String) -> Bool {
        guard let colon = text.firstIndex(of: ":"), let first = text.first, first.isASCII, first.isLetter else { return false }
        return text[..<colon].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }
    }

    /// The names of the element's attributes (namespace declarations are none), with their
    /// namespaces and prefixes.
    package func attributeNames() -> [(name: String, namespace: String?, prefix: String?)] {
        var names: [(String, String?, String?)] = []
        var attribute = node.pointee.properties
        while let current = attribute {
            names.append(
                (
                    String(cString: current.pointee.name), current.pointee.ns.map { String(cString: $0.pointee.href) },
                    current.pointee.ns?.pointee.prefix.map { String(cString: $0) }
                ))
            attribute = current.pointee.next
        }
        return names
    }

    /// The element's name as written (`dc:date`), or `{namespace}name` in a default
    /// namespace: what names an element of another vocabulary where chm's names are bare.
    package var qualifiedName: String {
        guard let namespace = node.pointee.ns else { return localName }
        if let prefix = namespace.pointee.prefix { return String(cString: prefix) + ":" + localName }
        return "{" + String(cString: namespace.pointee.href) + "}" + localName
    }

    /// The concatenated text of the element and its descendants, white space trimmed.
    package var text: String {
        content.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The text of the element and its descendants. Where markup such as XHTML breaks the
    /// text into blocks (`<p>`, `<br/>`, `<li>`, ...), a line break separates them:
    /// `<p>First.</p><p>Second<br/>line.</p>` is `First.\nSecond\nline.`, not
    /// `First.Secondline.`; inline elements (`H<sub>2</sub>O`) join their text.
    private var content: String {
        // (The common case, text alone, in one call.)
        var child = node.pointee.children
        var hasElements = false
        while let current = child, !hasElements {
            hasElements = current.pointee.type == XML_ELEMENT_NODE
            child = current.pointee.next
        }
        guard hasElements else { return takeXMLString(xmlNodeGetContent(node)) ?? "" }
        var text = ""
        func breakLine() {
            if let last = text.unicodeScalars.last, !(last == " " || last == "\t" || last == "\n" || last == "\r") { text += "\n" }
        }
        func walk(_ parent: xmlNodePtr) {
            var child = parent.pointee.children
            while let current = child {
                switch current.pointee.type {
                case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                    text += takeXMLString(xmlNodeGetContent(current)) ?? ""
                case XML_ELEMENT_NODE:
                    let isBlock = Self.blockElements.contains(String(cString: current.pointee.name).lowercased())
                    if isBlock { breakLine() }
                    walk(current)
                    if isBlock { breakLine() }
                default:
                    break
                }
                child = current.pointee.next
            }
        }
        walk(node)
        return text
    }

    /// Elements of markup (XHTML, DocBook's paragraphs) whose text is a block of its own.
    private static let blockElements: Set<String> = [
        "p", "br", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th",
        "table", "blockquote", "pre", "section", "article", "hr", "para", "caption", "figcaption",
    ]

    /// The concatenated text as written, less the line breaks and indentation that
    /// pretty-printing puts around it (``XMLTextSpacing/withoutPrettyPrinting(_:)``), unless
    /// `xml:space="preserve"` is in effect (on the element or inherited), which keeps it whole.
    /// `<title>\n  Coral\n</title>` is `Coral`, and `<title>  Coral  </title>` keeps its
    /// spaces, as a JSON string does (the `chm` format is lossless).
    package var writtenText: String {
        let content = content
        return xmlNodeGetSpacePreserve(node) == 1 ? content : XMLTextSpacing.withoutPrettyPrinting(content)
    }

    /// The child elements in order.
    package var children: [XMLElement] {
        var result: [XMLElement] = []
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE { result.append(XMLElement(node: current)) }
            child = current.pointee.next
        }
        return result
    }
}

/// How a text's white space reads in chm's native XML.
package enum XMLTextSpacing {
    /// `text` less a run of XML white space (space, tab, CR, LF) at either end that holds a
    /// line break: the indentation of pretty-printed XML around an element's text.
    package static func withoutPrettyPrinting(_ text: String) -> String {
        let content = Array(text.utf8)
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        func isBreak(_ byte: UInt8) -> Bool { byte == 0x0A || byte == 0x0D }
        var start = 0
        while start < content.count, isSpace(content[start]) { start += 1 }
        if !content[..<start].contains(where: isBreak) { start = 0 }
        var end = content.count
        while end > start, isSpace(content[end - 1]) { end -= 1 }
        if !content[end...].contains(where: isBreak) { end = content.count }
        guard start > 0 || end < content.count else { return text }
        return String(decoding: content[start..<end], as: UTF8.self)
    }

    /// Whether `text` is written with `xml:space="preserve"` to be read back whole (it begins
    /// or ends with a line break among white space).
    package static func needsPreserving(_ text: String) -> Bool {
        withoutPrettyPrinting(text) != text
    }
}
