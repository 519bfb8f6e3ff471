// Byte-string sets with dense ids, for the hot paths of indexing and analysis.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A set of byte strings (terms), each with a dense id in order of first insertion: an
/// open-addressing hash table over the UTF-8 bytes, which are stored back to back in one array.
/// It interns the terms of a segment under construction (one table per field, no String or
/// dictionary entry per term) and holds the analyzers' stop words; its hash is several times
/// cheaper than `String`'s.
struct TermTable: Sendable {
    /// The terms' UTF-8 bytes, back to back; term `id` ends at `ends[id]`.
    private(set) var bytes: [UInt8] = []
    private(set) var ends: [Int] = []
    /// Open addressing with linear probing, at most half full. A slot is two words: the term's
    /// hash in the high 32 bits of the first and its id + 1 in the low ones (0: empty), and the
    /// term's bytes packed into the second when it has at most 7 (see ``packed(_:)``). So a
    /// probe that meets another term rarely reads the term's bytes, and one that finds a short
    /// term (most are) never does: each of those reads is a cache miss in a big table.
    private var slots = [UInt64](repeating: 0, count: 128)

    /// The number of distinct terms.
    var count: Int { ends.count }

    /// The id of the term whose UTF-8 bytes are `term`, interning it if it is new.
    mutating func intern(_ term: UnsafeBufferPointer<UInt8>) -> (id: Int, isNew: Bool) {
        let hash = Self.hash(term)
        let key = Self.packed(term)
        let (found, slot) = probe(term, hash: hash, key: key)
        if let found { return (found, false) }
        let id = ends.count
        bytes.append(contentsOf: term)
        ends.append(bytes.count)
        slots[slot] = UInt64(hash) << 32 | UInt64(id + 1)
        slots[slot + 1] = key
        if ends.count * 4 > slots.count { grow() }
        return (id, true)
    }

    /// The id of `term`, interning it if it is new.
    mutating func intern(_ term: String) -> (id: Int, isNew: Bool) {
        var term = term
        return term.withUTF8 { intern($0) }
    }

    /// The id of the term whose UTF-8 bytes are `term`, if it is in the table.
    func find(_ term: UnsafeBufferPointer<UInt8>) -> Int? {
        probe(term, hash: Self.hash(term), key: Self.packed(term)).id
    }

    /// The id of `term` if the table has it, else nil and the (first word of the) empty slot
    /// where it goes.
    @inline(__always)
    private func probe(_ term: UnsafeBufferPointer<UInt8>, hash: UInt32, key: UInt64) -> (id: Int?, slot: Int) {
        slots.withUnsafeBufferPointer { slots in
            let mask = slots.count - 2
            var slot = (Int(hash) << 1) & mask
            while case let entry = slots[slot], entry != 0 {
                if UInt32(truncatingIfNeeded: entry >> 32) == hash, slots[slot + 1] == key {
                    let id = Int(truncatingIfNeeded: entry & 0xFFFF_FFFF) - 1
                    // (A packed key of 7 bytes or fewer is the whole term.)
                    if term.count <= 7 || termBytesEqual(id, term) { return (id, slot) }
                }
                slot = (slot + 2) & mask
            }
            return (nil, slot)
        }
    }

    /// A term's bytes packed into a word when it has at most 7 (its length in the top byte,
    /// the bytes below it, first byte lowest); for a longer term its first 7 bytes and 8.
    @inline(__always)
    static func packed(_ term: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let count = term.count
        guard count > 0, let base = term.baseAddress else { return 0 }
        let raw = UnsafeRawPointer(base)
        var word: UInt64
        if count >= 8 {
            word = raw.loadUnaligned(as: UInt64.self).littleEndian
        } else if count >= 4 {
            // Two overlapping loads of 4 bytes.
            let low = UInt64(raw.loadUnaligned(as: UInt32.self).littleEndian)
            let high = UInt64(raw.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self).littleEndian)
            word = low | high << (8 * (count - 4))
        } else {
            word = UInt64(base[0])
            if count > 1 { word |= UInt64(base[1]) << 8 }
            if count > 2 { word |= UInt64(base[2]) << 16 }
        }
        return word & 0x00FF_FFFF_FFFF_FFFF | UInt64(min(count, 8)) << 56
    }

    /// Whether `term` is in the table.
    func contains(_ term: String) -> Bool {
        var term = term
        return term.withUTF8 { find($0) } != nil
    }

    /// Whether term `id`'s bytes are `term`.
    @inline(__always)
    func termEquals(_ id: Int, _ term: UnsafeBufferPointer<UInt8>) -> Bool {
        ends.withUnsafeBufferPointer { ends in
            let start = id == 0 ? 0 : ends[id - 1]
            guard ends[id] - start == term.count else { return false }
            return bytes.withUnsafeBufferPointer { stored in
                guard let base = stored.baseAddress else { return term.isEmpty }
                return Self.equal(UnsafeRawBufferPointer(start: base + start, count: term.count), UnsafeRawBufferPointer(term))
            }
        }
    }

    /// The bytes of term `id`.
    func term(_ id: Int) -> ArraySlice<UInt8> {
        bytes[(id == 0 ? 0 : ends[id - 1])..<ends[id]]
    }

    /// Term ids in the byte order of their terms (the term dictionary's order).
    func sortedIDs() -> [Int] {
        bytes.withUnsafeBufferPointer { bytes in
            ends.withUnsafeBufferPointer { ends in
                func term(_ id: Int) -> UnsafeBufferPointer<UInt8> {
                    UnsafeBufferPointer(rebasing: bytes[(id == 0 ? 0 : ends[id - 1])..<ends[id]])
                }
                return (0..<ends.count).sorted { Self.compare(term($0), term($1)) < 0 }
            }
        }
    }

    /// -1, 0 or 1 as byte string `left` sorts before, equals or sorts after `right` (the term
    /// dictionary's order: bytes, then length).
    static func compare(_ left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>) -> Int {
        let shared = min(left.count, right.count)
        if shared > 0, let a = left.baseAddress, let b = right.baseAddress {
            let order = memcmp(a, b, shared)
            if order != 0 { return order < 0 ? -1 : 1 }
        }
        return left.count == right.count ? 0 : (left.count < right.count ? -1 : 1)
    }

    private func termBytesEqual(_ id: Int, _ term: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = id == 0 ? 0 : ends[id - 1]
        guard ends[id] - start == term.count else { return false }
        return bytes.withUnsafeBytes { stored in
            Self.equal(UnsafeRawBufferPointer(rebasing: stored[start..<start + term.count]), UnsafeRawBufferPointer(term))
        }
    }

    /// Whether two byte strings of the same length are equal: whole words at a time, for the
    /// short strings terms are (a call to `memcmp` costs more than the comparison).
    @inline(__always)
    private static func equal(_ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer) -> Bool {
        let count = left.count
        if count >= 8 {
            var offset = 0
            while offset + 8 <= count {
                if left.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                    != right.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                {
                    return false
                }
                offset += 8
            }
            return offset == count
                || left.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
                    == right.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        }
        if count >= 4 {
            return left.loadUnaligned(as: UInt32.self) == right.loadUnaligned(as: UInt32.self)
                && left.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
                    == right.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
        }
        for index in 0..<count where left[index] != right[index] { return false }
        return true
    }

    private mutating func grow() {
        let old = slots
        slots = [UInt64](repeating: 0, count: old.count * 2)
        let mask = slots.count - 2
        for index in stride(from: 0, to: old.count, by: 2) where old[index] != 0 {
            var slot = (Int(truncatingIfNeeded: old[index] >> 32) << 1) & mask
            while slots[slot] != 0 { slot = (slot + 2) & mask }
            slots[slot] = old[index]
            slots[slot + 1] = old[index + 1]
        }
    }

    /// A fast hash of a short byte string: whole words through a multiply-xorshift mix, the
    /// length mixed in first (so overlapping loads are unambiguous), no loop over single bytes
    /// (terms are a few bytes long; the table only needs the bits spread well).
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        let raw = UnsafeRawBufferPointer(bytes)
        let count = raw.count
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(count)
        if count >= 8 {
            var offset = 0
            while offset + 8 <= count {
                state = mix(state ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                offset += 8
            }
            if offset < count { state = mix(state ^ raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)) }
        } else if count >= 4 {
            let low = UInt64(raw.loadUnaligned(as: UInt32.self))
            let high = UInt64(raw.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
            state = mix(state ^ (high << 32 | low))
        } else if count > 0 {
            state = mix(state ^ (UInt64(raw[0]) << 16 | UInt64(raw[count >> 1]) << 8 | UInt64(raw[count - 1])))
        }
        return UInt32(truncatingIfNeeded: state >> 32)
    }

    @inline(__always)
    private static func mix(_ value: UInt64) -> UInt64 {
        var value = value &* 0xBF58_476D_1CE4_E5B9
        value ^= value >> 31
        value = value &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 29)
    }
}
