import Foundation

/// Appends `text` as a JSON string literal (quotes included) to `out`.
public func appendJSONString(_ text: String, to out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
        case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
        case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
        case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
        case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
        case 0..<0x20:
            let hex = Array("0123456789abcdef".utf8)
            out.append(contentsOf: Array("\\u00".utf8))
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0xF)])
        default: out.append(byte)
        }
    }
    out.append(UInt8(ascii: "\""))
}

/// Writes the members of one JSON object in the order given, `{"key": value, ...}`, into a
/// caller's buffer.
struct JSONObjectWriter {
    private var first = true

    init(_ out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
    }

    private mutating func key(_ key: String, _ out: inout [UInt8]) {
        if !first { out.append(contentsOf: [UInt8(ascii: ","), UInt8(ascii: " ")]) }
        first = false
        appendJSONString(key, to: &out)
        out.append(contentsOf: [UInt8(ascii: ":"), UInt8(ascii: " ")])
    }

    mutating func string(_ name: String, _ value: String, _ out: inout [UInt8]) {
        key(name, &out)
        appendJSONString(value, to: &out)
    }

    mutating func array(_ name: String, _ values: [String], _ out: inout [UInt8]) {
        key(name, &out)
        out.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { out.append(contentsOf: [UInt8(ascii: ","), UInt8(ascii: " ")]) }
            appendJSONString(value, to: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    mutating func object(_ name: String, _ members: [(String, String)], _ out: inout [UInt8]) {
        key(name, &out)
        out.append(UInt8(ascii: "{"))
        for (index, (member, value)) in members.enumerated() {
            if index > 0 { out.append(contentsOf: [UInt8(ascii: ","), UInt8(ascii: " ")]) }
            appendJSONString(member, to: &out)
            out.append(contentsOf: [UInt8(ascii: ":"), UInt8(ascii: " ")])
            appendJSONString(value, to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    func finish(_ out: inout [UInt8]) {
        out.append(UInt8(ascii: "}"))
    }
}

/// A file (or standard output, for `-`) written through a buffer of about `capacity` bytes.
public final class BufferedOutput {
    private let handle: FileHandle
    private let closesHandle: Bool
    public var buffer: [UInt8] = []
    private let capacity: Int
    public private(set) var bytesWritten = 0

    public init(path: String, capacity: Int = 1 << 20) throws {
        if path == "-" {
            handle = FileHandle.standardOutput
            closesHandle = false
        } else {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            closesHandle = true
        }
        self.capacity = capacity
        buffer.reserveCapacity(capacity + 64 << 10)
    }

    /// Writes the buffer out once it holds `capacity` bytes. Append to `buffer`, then call this.
    public func flushIfFull() throws {
        if buffer.count >= capacity { try flush() }
    }

    public func flush() throws {
        guard !buffer.isEmpty else { return }
        try handle.write(contentsOf: buffer)
        bytesWritten += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    public func close() throws {
        try flush()
        if closesHandle { try handle.close() }
    }
}

/// Reads a file line by line (without the line feed), 64 KiB at a time.
public struct LineReader {
    private let handle: FileHandle
    private var pending: [UInt8] = []
    private var start = 0
    private var atEnd = false

    public init(path: String) throws {
        handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
    }

    public mutating func next() throws -> ArraySlice<UInt8>? {
        while true {
            if let newline = pending[start...].firstIndex(of: 0x0A) {
                let line = pending[start..<newline]
                start = newline + 1
                return line
            }
            if atEnd {
                guard start < pending.count else { return nil }
                let line = pending[start...]
                start = pending.count
                return line
            }
            pending.removeFirst(start)
            start = 0
            if let chunk = try handle.read(upToCount: 1 << 16), !chunk.isEmpty {
                pending.append(contentsOf: chunk)
            } else {
                atEnd = true
                try handle.close()
            }
        }
    }
}
