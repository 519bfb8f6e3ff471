import ArgumentParser
import Foundation
import SyntheticCorpus

@main
struct GenerateCorpus: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "GenerateCorpus",
        abstract: "Writes deterministic benchmark corpora as JSON Lines.",
        discussion: """
            Synthetic records: --count N [--seed S] --output FILE.jsonl writes N clearing-house \
            records (DESIGN.md section 2) with Zipf-distributed text in the six UN languages \
            (~70% English). The same seed always gives the same bytes, and record i does not \
            depend on N.

            Scaling a test collection: --replicate DIR --times K --output FILE.jsonl writes \
            DIR/corpus.jsonl K times, the ids of copy k (1...K) suffixed with -k, every other \
            byte of each line unchanged.

            --output - writes to standard output.
            """)

    @Option(help: "How many synthetic records to write.")
    var count: Int?

    @Option(help: "The seed of the synthetic records.")
    var seed: UInt64 = 1

    @Option(help: "A test collection directory holding corpus.jsonl ({id, title, body} per line) to replicate.")
    var replicate: String?

    @Option(help: "How many copies of the collection to write (with --replicate).")
    var times: Int = 1

    @Option(help: "The JSON Lines file to write (- for standard output).")
    var output: String

    func validate() throws {
        switch (count, replicate) {
        case (nil, nil): throw ValidationError("Give --count N or --replicate DIR.")
        case (.some, .some): throw ValidationError("Give either --count or --replicate, not both.")
        case (let count?, nil) where count < 0: throw ValidationError("--count must be 0 or more.")
        case (nil, .some) where times < 1: throw ValidationError("--times must be 1 or more.")
        default: break
        }
    }

    func run() throws {
        let out = try BufferedOutput(path: output)
        let start = ContinuousClock.now
        let lines: Int
        if let count {
            lines = try writeSynthetic(count: count, to: out)
        } else {
            lines = try writeReplicas(of: replicate!, times: times, to: out)
        }
        try out.close()
        let seconds = (ContinuousClock.now - start) / .seconds(1)
        if output != "-" {
            let megabytes = Double(out.bytesWritten) / 1_048_576
            FileHandle.standardError.write(
                Data("\(lines) records, \(String(format: "%.1f", megabytes)) MB in \(String(format: "%.1f", seconds)) s -> \(output)\n".utf8))
        }
    }

    private func writeSynthetic(count: Int, to out: BufferedOutput) throws -> Int {
        let generator = RecordGenerator(seed: seed)
        for index in 0..<count {
            generator.record(at: index).appendJSON(to: &out.buffer)
            out.buffer.append(0x0A)
            try out.flushIfFull()
        }
        return count
    }

    private func writeReplicas(of directory: String, times: Int, to out: BufferedOutput) throws -> Int {
        let path = URL(fileURLWithPath: directory).appendingPathComponent("corpus.jsonl").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw GeneratorError("no corpus.jsonl in \(directory)")
        }
        var lines = 0
        for copy in 1...times {
            var reader = try LineReader(path: path)
            var lineNumber = 0
            while let line = try reader.next() {
                lineNumber += 1
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
                guard let (valueRange, id) = Self.idValue(in: line) else {
                    throw GeneratorError("\(path):\(lineNumber): no string \"id\" member in this line")
                }
                out.buffer.append(contentsOf: line[line.startIndex..<valueRange.lowerBound])
                appendJSONString("\(id)-\(copy)", to: &out.buffer)
                out.buffer.append(contentsOf: line[valueRange.upperBound...])
                out.buffer.append(0x0A)
                lines += 1
                try out.flushIfFull()
            }
        }
        return lines
    }

    /// The byte range of the string value of the top-level `"id"` member of a one-line
    /// JSON object, and the decoded value.
    static func idValue(in line: ArraySlice<UInt8>) -> (Range<Int>, String)? {
        var depth = 0
        var index = line.startIndex
        var expectingKey = false
        var pendingKeyIsID = false
        while index < line.endIndex {
            let byte = line[index]
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                expectingKey = byte == UInt8(ascii: "{") && depth == 1
                index += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                index += 1
            case UInt8(ascii: ","):
                if depth == 1 { expectingKey = true }
                index += 1
            case UInt8(ascii: ":"):
                index += 1
            case UInt8(ascii: "\""):
                let stringStart = index
                index += 1
                while index < line.endIndex, line[index] != UInt8(ascii: "\"") {
                    index += line[index] == UInt8(ascii: "\\") ? 2 : 1
                }
                index += 1
                guard index <= line.endIndex else { return nil }
                let literal = line[stringStart..<index]
                if depth == 1, expectingKey {
                    expectingKey = false
                    pendingKeyIsID = Array(literal) == Array("\"id\"".utf8)
                } else if depth == 1, pendingKeyIsID {
                    guard let value = try? JSONDecoder().decode(String.self, from: Data(literal)) else { return nil }
                    return (stringStart..<index, value)
                }
            default:
                if depth == 1, pendingKeyIsID, !expectingKey,
                    byte != 0x20, byte != 0x09, byte != 0x0D
                {
                    return nil  // a non-string id
                }
                index += 1
            }
        }
        return nil
    }
}

struct GeneratorError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
