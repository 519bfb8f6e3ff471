// Snowball stemmers through libstemmer (the Snowball project's own C library, from Debian's
// libstemmer-dev). A libstemmer stemmer is not safe to share between threads, so each
// `SnowballStemmer` keeps a small pool: a call takes one, stems, and gives it back.
import CStemmer
import Synchronization

/// A Snowball stemmer for one language.
public final class SnowballStemmer: Sendable {
    /// The Snowball algorithm name (`english`, `french`, `spanish`, `russian`, `arabic`, ...).
    public let algorithm: String
    private let pool = Mutex<[Handle]>([])

    /// A libstemmer stemmer; only ever used by one thread at a time (it is in the pool or
    /// held by one call).
    private struct Handle: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    /// A stemmer for `algorithm`, or nil when libstemmer does not have it.
    public init?(algorithm: String) {
        guard let stemmer = sb_stemmer_new(algorithm, "UTF_8") else { return nil }
        self.algorithm = algorithm
        let handle = Handle(pointer: stemmer)
        pool.withLock { $0.append(handle) }
    }

    deinit {
        pool.withLock { stemmers in
            for stemmer in stemmers { sb_stemmer_delete(stemmer.pointer) }
        }
    }

    /// The algorithms libstemmer offers.
    public static var algorithms: [String] {
        guard let list = sb_stemmer_list() else { return [] }
        var names: [String] = []
        var index = 0
        while let name = list[index] {
            names.append(String(cString: name))
            index += 1
        }
        return names
    }

    /// The stem of `word` (which should already be lower-case).
    public func stem(_ word: String) -> String {
        withStemmer { $0(word) }
    }

    /// Runs `body` with a stem function that holds one stemmer of the pool throughout (one
    /// pool round trip for many words, e.g. all of a text's).
    public func withStemmer<Result>(_ body: ((String) -> String) -> Result) -> Result {
        let taken = pool.withLock { $0.popLast() }
        guard let handle = taken ?? sb_stemmer_new(algorithm, "UTF_8").map(Handle.init) else { return body { $0 } }
        defer { pool.withLock { $0.append(handle) } }
        return body { Self.stem($0, with: handle.pointer) }
    }

    private static func stem(_ word: String, with stemmer: OpaquePointer) -> String {
        var word = word
        return word.withUTF8 { bytes -> String in
            guard let base = bytes.baseAddress,
                let result = sb_stemmer_stem(stemmer, base, Int32(bytes.count))
            else { return String(decoding: bytes, as: UTF8.self) }
            let length = Int(sb_stemmer_length(stemmer))
            return String(decoding: UnsafeBufferPointer(start: result, count: length), as: UTF8.self)
        }
    }
}
