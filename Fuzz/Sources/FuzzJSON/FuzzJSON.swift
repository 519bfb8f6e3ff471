// libFuzzer target: the bytes as a .json file through `ClearingHouse.validate` (discovery,
// the content check, the reader and the record validator). Any crash, hang or leak is a bug;
// errors are the expected outcome for most inputs.
import ClearingHouse
import FuzzSupport

private let input = FuzzInputFile(pathExtension: "json")
private let options = IngestOptions()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    input.write(data, size)
    _ = try? ClearingHouse.validate([input.path], options: options)
    return 0
}

/// The entry point SwiftPM links as `main` (see `runFuzzer`).
@_cdecl("FuzzJSON_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv, fuzz)
}
