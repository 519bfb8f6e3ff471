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

    /// A libstemmer stemmer with a cache of the stems it gave; only ever used by one thread
    /// at a time (it is in the pool or held by one call).
    private final class Handle: @unchecked Sendable {
        let pointer: OpaquePointer
        var cache: StemCache

        init(pointer: OpaquePointer, cacheLimit: Int) {
            self.pointer = pointer
            cache = StemCache(limit: cacheLimit)
        }

        func stem(_ word: String) -> String {
            cache.stem(word, with: pointer)
        }
    }

    /// Words already stemmed and their stems. Text follows Zipf's law, so most words of a
    /// text are words seen before, and a lookup in a byte-hash table costs a fraction of
    /// running the Snowball algorithm (which was a tenth of indexing).
    private struct StemCache {
        /// Entries before the cache starts over.
        let limit: Int
        /// Longer words are stemmed every time (they are rare and would crowd the cache).
        static let longestCachedWord = 32
        private var words = TermTable()
        private var stems: [String] = []

        init(limit: Int) {
            self.limit = limit
        }

        mutating func stem(_ word: String, with stemmer: OpaquePointer) -> String {
            var word = word
            return word.withUTF8 { bytes -> String in
                guard bytes.count <= Self.longestCachedWord else { return SnowballStemmer.stem(bytes, with: stemmer) }
                if stems.count >= limit {
                    words = TermTable()
                    stems = []
                }
                let (id, isNew) = words.intern(bytes)
                guard isNew else { return stems[id] }
                let stem = SnowballStemmer.stem(bytes, with: stemmer)
                stems.append(stem)
                return stem
            }
        }
    }

    /// Stems each pooled stemmer keeps (a few megabytes).
    private let cacheLimit: Int

    /// A stemmer for `algorithm`, or nil when libstemmer does not have it.
    public convenience init?(algorithm: String) {
        self.init(algorithm: algorithm, cacheLimit: 1 << 16)
    }

    /// A stemmer whose pooled stemmers each cache up to `cacheLimit` stems (tests make the
    /// cache small to see it start over).
    init?(algorithm: String, cacheLimit: Int) {
        guard let stemmer = sb_stemmer_new(algorithm, "UTF_8") else { return nil }
        self.algorithm = algorithm
        self.cacheLimit = cacheLimit
        let handle = Handle(pointer: stemmer, cacheLimit: cacheLimit)
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
        guard let handle = taken ?? sb_stemmer_new(algorithm, "UTF_8").map({ Handle(pointer: $0, cacheLimit: cacheLimit) }) else { return body { $0 } }
        defer { pool.withLock { $0.append(handle) } }
        return body { handle.stem($0) }
    }

    /// Runs the Snowball algorithm on the UTF-8 `bytes`.
    private static func stem(_ bytes: UnsafeBufferPointer<UInt8>, with stemmer: OpaquePointer) -> String {
        guard let base = bytes.baseAddress, let result = sb_stemmer_stem(stemmer, base, Int32(bytes.count)) else {
            return String(decoding: bytes, as: UTF8.self)
        }
        let length = Int(sb_stemmer_length(stemmer))
        return String(decoding: UnsafeBufferPointer(start: result, count: length), as: UTF8.self)
    }
}
