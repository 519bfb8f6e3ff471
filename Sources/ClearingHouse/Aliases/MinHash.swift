// Near-duplicate text without comparing every pair: each record's text becomes a set of
// shingles (two consecutive analyzed words), the set a MinHash signature, and the signature
// bands for locality-sensitive hashing (LSH). Records whose signatures agree on a whole band
// are candidates; the fraction of agreeing slots estimates the Jaccard similarity of their
// shingle sets (Broder 1997; Leskovec, Rajaraman and Ullman, Mining of Massive Datasets, 3.4).
import SearchCore

/// MinHash signatures of shingle sets, and their LSH bands.
enum MinHash {
    /// Slots in a signature.
    static let length = 64
    /// Slots per band: 16 bands of 4. Two texts of Jaccard similarity s share a band with
    /// probability 1 - (1 - s^4)^16: 0.99 at s = 0.7, 0.64 at 0.5, 0.12 at 0.3.
    static let rowsPerBand = 4
    static var bands: Int { length / rowsPerBand }

    private static let seeds: [UInt64] = (0..<length).map { mix(UInt64($0) &+ 0x5851_F42D_4C95_7F2D) }

    /// The shingles of `record`'s title, summary and description, each text analyzed by its
    /// language's analyzer (as the index analyzes it, so that word forms and case do not
    /// count): the hash of every two consecutive words, sorted and without repeats. A text of
    /// one word gives that word.
    static func shingles(of record: Record) -> [UInt64] {
        var shingles: [UInt64] = []
        for text in [record.title, record.summary, record.description] {
            for (tag, value) in text.values {
                var previous: UInt64?
                var lastPosition = -1
                var words = 0
                var first: UInt64 = 0
                for token in LanguageAnalyzer.forLanguage(tag).tokens(value) where token.position != lastPosition {
                    lastPosition = token.position
                    let word = termHash(token.term)
                    if let previous { shingles.append(mix(previous &* 0x9E37_79B9_7F4A_7C15 ^ word)) } else { first = word }
                    previous = word
                    words += 1
                }
                if words == 1 { shingles.append(first) }
            }
        }
        shingles.sort()
        var unique: [UInt64] = []
        unique.reserveCapacity(shingles.count)
        for shingle in shingles where unique.last != shingle { unique.append(shingle) }
        return unique
    }

    /// The signature of a shingle set: per slot, the least of the shingles' hashes under that
    /// slot's hash function.
    static func signature(of shingles: [UInt64]) -> [UInt32] {
        var signature = [UInt32](repeating: .max, count: length)
        for shingle in shingles {
            for slot in 0..<length {
                let value = UInt32(truncatingIfNeeded: mix(shingle ^ seeds[slot]))
                if value < signature[slot] { signature[slot] = value }
            }
        }
        return signature
    }

    /// The key of band `band` of `signature` (its slots `band * rowsPerBand ..<`).
    static func bandKey(_ signature: ArraySlice<UInt32>, band: Int) -> UInt64 {
        var key = UInt64(band) &* 0xD6E8_FEB8_6659_FD93
        for value in signature { key = mix(key ^ UInt64(value)) }
        return key
    }

    /// The fraction of slots on which two signatures agree: an estimate of the Jaccard
    /// similarity of their sets.
    static func estimatedSimilarity(_ a: ArraySlice<UInt32>, _ b: ArraySlice<UInt32>) -> Double {
        var agreeing = 0
        for (x, y) in zip(a, b) where x == y { agreeing += 1 }
        return Double(agreeing) / Double(length)
    }

    /// The Jaccard similarity of two sorted sets without repeats.
    static func jaccard(_ a: [UInt64], _ b: [UInt64]) -> Double {
        guard !a.isEmpty || !b.isEmpty else { return 1 }
        var (i, j, shared) = (0, 0, 0)
        while i < a.count, j < b.count {
            if a[i] == b[j] {
                shared += 1
                i += 1
                j += 1
            } else if a[i] < b[j] {
                i += 1
            } else {
                j += 1
            }
        }
        return Double(shared) / Double(a.count + b.count - shared)
    }

    /// FNV-1a of a word's UTF-8 bytes, mixed.
    private static func termHash(_ term: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in term.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return mix(hash)
    }

    /// SplitMix64's finalizer: a fast bijective mix of 64 bits.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
