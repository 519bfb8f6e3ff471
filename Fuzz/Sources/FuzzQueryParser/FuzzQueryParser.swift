// libFuzzer target: the bytes (decoded as UTF-8, invalid sequences replaced) through the
// query parser, with the default settings and with AND and a minimum-should-match. Parse
// errors are the expected outcome for many inputs; a crash or hang is a bug.
import FuzzSupport
import SearchCore

private let parsers = [QueryParser(), QueryParser(defaultOperator: .and, minimumShouldMatch: 2)]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    for parser in parsers {
        _ = try? parser.parse(text)
    }
    return 0
}

/// The entry point SwiftPM links as `main` (see `runFuzzer`).
@_cdecl("FuzzQueryParser_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv, fuzz)
}
