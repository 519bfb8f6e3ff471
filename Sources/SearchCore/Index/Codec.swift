// The low-level encodings of segment files: variable-length integers, bit-packed blocks of
// 128 integers, CRC-32 checksums and the one-byte length norm. Everything that knows how
// bytes are laid out on disk lives in Index/; the query code sees iterators only.

/// Postings are grouped in blocks of this many documents.
public let postingsBlockSize = 128

/// Appending encoded values to a byte buffer.
struct ByteWriter {
    var bytes: [UInt8] = []

    var count: Int { bytes.count }

    mutating func byte(_ value: UInt8) { bytes.append(value) }

    mutating func uint32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func uint64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func float64(_ value: Double) { uint64(value.bitPattern) }

    /// LEB128: 7 bits per byte, high bit set on all but the last byte.
    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    mutating func varint(_ value: Int) { varint(UInt64(value)) }
    mutating func varint(_ value: UInt32) { varint(UInt64(value)) }

    mutating func append(_ other: [UInt8]) { bytes.append(contentsOf: other) }

    /// A length-prefixed UTF-8 string.
    mutating func string(_ text: String) {
        varint(text.utf8.count)
        bytes.append(contentsOf: text.utf8)
    }
}

/// Reading encoded values from memory (usually a memory-mapped segment file).
///
/// Reads are bounds-checked: a corrupt file makes `isValid` false and yields zeros instead
/// of reading out of bounds; callers check `isValid` where corruption must be reported.
struct ByteReader {
    let base: UnsafeRawBufferPointer
    var offset: Int
    private(set) var isValid = true

    init(_ base: UnsafeRawBufferPointer, offset: Int = 0) {
        self.base = base
        self.offset = offset
    }

    var isAtEnd: Bool { offset >= base.count }

    @inline(__always)
    mutating func byte() -> UInt8 {
        guard offset < base.count else {
            isValid = false
            return 0
        }
        let value = base[offset]
        offset += 1
        return value
    }

    mutating func uint32() -> UInt32 {
        guard offset + 4 <= base.count else {
            isValid = false
            offset = base.count
            return 0
        }
        let value = base.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
        offset += 4
        return UInt32(littleEndian: value)
    }

    mutating func uint64() -> UInt64 {
        guard offset + 8 <= base.count else {
            isValid = false
            offset = base.count
            return 0
        }
        let value = base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        offset += 8
        return UInt64(littleEndian: value)
    }

    mutating func float64() -> Double { Double(bitPattern: uint64()) }

    @inline(__always)
    mutating func varint() -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < base.count, shift < 64 else {
                isValid = false
                return result
            }
            let byte = base[offset]
            offset += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    mutating func varintInt() -> Int { Int(truncatingIfNeeded: varint()) }

    mutating func bytes(_ count: Int) -> UnsafeRawBufferPointer {
        guard count >= 0, offset + count <= base.count else {
            isValid = false
            offset = base.count
            return UnsafeRawBufferPointer(start: nil, count: 0)
        }
        let slice = UnsafeRawBufferPointer(rebasing: base[offset..<offset + count])
        offset += count
        return slice
    }

    mutating func string() -> String {
        let length = varintInt()
        let slice = bytes(length)
        return String(decoding: slice, as: UTF8.self)
    }
}

/// Bit-packing of blocks of unsigned integers: each value stored in `bits` bits, values
/// laid out little-endian one after another.
enum BitPacking {
    /// The number of bits needed for the largest of `values`.
    static func bitsRequired<C: Collection>(_ values: C) -> Int where C.Element == UInt32 {
        let maximum = values.reduce(0, |)
        return maximum == 0 ? 0 : 32 - maximum.leadingZeroBitCount
    }

    /// Bytes taken by `count` values of `bits` bits.
    @inline(__always)
    static func byteCount(count: Int, bits: Int) -> Int { (count * bits + 7) / 8 }

    /// Appends `values` packed with `bits` bits each.
    static func pack<C: Collection>(_ values: C, bits: Int, into writer: inout ByteWriter) where C.Element == UInt32 {
        guard bits > 0 else { return }
        var stream = BitStream()
        for value in values { stream.append(value, bits: bits, to: &writer) }
        stream.finish(to: &writer)
    }

    /// Packs values of varying widths, in order, into one little-endian bit stream
    /// (`(count of bits + 7) / 8` bytes).
    static func packMixed(_ values: [(value: UInt32, bits: Int)], into writer: inout ByteWriter) {
        var stream = BitStream()
        for (value, bits) in values where bits > 0 {
            let mask: UInt32 = bits == 32 ? 0xFFFF_FFFF : (1 << UInt32(bits)) - 1
            stream.append(value & mask, bits: bits, to: &writer)
        }
        stream.finish(to: &writer)
    }

    /// Bits written least significant first, flushed a byte at a time.
    private struct BitStream {
        var accumulator: UInt64 = 0
        var filled = 0

        @inline(__always)
        mutating func append(_ value: UInt32, bits: Int, to writer: inout ByteWriter) {
            accumulator |= UInt64(value) << UInt64(filled)
            filled += bits
            while filled >= 8 {
                writer.byte(UInt8(truncatingIfNeeded: accumulator))
                accumulator >>= 8
                filled -= 8
            }
        }

        mutating func finish(to writer: inout ByteWriter) {
            if filled > 0 { writer.byte(UInt8(truncatingIfNeeded: accumulator)) }
        }
    }

    /// Reads the `bits`-bit value at bit `offset` of `source` (0 past its end).
    @inline(__always)
    static func value(in source: UnsafeRawBufferPointer, bitOffset offset: Int, bits: Int) -> UInt32 {
        guard bits > 0 else { return 0 }
        let mask: UInt64 = bits == 32 ? 0xFFFF_FFFF : (1 << UInt64(bits)) - 1
        let byteIndex = offset >> 3
        var word: UInt64 = 0
        if byteIndex + 8 <= source.count {
            word = UInt64(littleEndian: source.loadUnaligned(fromByteOffset: byteIndex, as: UInt64.self))
        } else {
            var shift: UInt64 = 0
            var next = byteIndex
            while next < source.count, shift < 64 {
                word |= UInt64(source[next]) << shift
                next += 1
                shift += 8
            }
        }
        return UInt32(truncatingIfNeeded: (word >> UInt64(offset & 7)) & mask)
    }

    /// Unpacks `count` values of `bits` bits from `source` (which must hold at least
    /// `byteCount(count:bits:)` bytes) into `output`.
    ///
    /// Bytes of `source` past the packed values may be read (never past `source`'s end) and
    /// are ignored: callers pass the rest of a mapped section, so that the fast path below
    /// covers whole blocks.
    static func unpack(
        _ source: UnsafeRawBufferPointer, count: Int, bits: Int, into output: UnsafeMutablePointer<UInt32>
    ) {
        guard bits > 0, let base = source.baseAddress else {
            output.update(repeating: 0, count: count)
            return
        }
        // Groups of 8 values take `bits` whole bytes. A group is unpacked with constant
        // offsets and shifts (one specialization per width below): decoding blocks took
        // about a third less time than with one loop of variable shifts (Cranfield x 70
        // queries, where it had been 8% of the time). A group's last value is read with an
        // 8-byte load at byte `7 * bits / 8`, hence the bound on the groups done this way.
        let available = source.count
        var groups = count >> 3
        // Group `g` reads through byte `g * bits + (7 * bits) / 8 + 8`.
        let room = available - 8 - ((7 * bits) >> 3)
        if groups > 0, (groups - 1) * bits > room { groups = room < 0 ? 0 : room / bits + 1 }
        switch bits {
        case 1: unpackGroups(Width1.self, base, groups, output)
        case 2: unpackGroups(Width2.self, base, groups, output)
        case 3: unpackGroups(Width3.self, base, groups, output)
        case 4: unpackGroups(Width4.self, base, groups, output)
        case 5: unpackGroups(Width5.self, base, groups, output)
        case 6: unpackGroups(Width6.self, base, groups, output)
        case 7: unpackGroups(Width7.self, base, groups, output)
        case 8: unpackGroups(Width8.self, base, groups, output)
        case 9: unpackGroups(Width9.self, base, groups, output)
        case 10: unpackGroups(Width10.self, base, groups, output)
        case 11: unpackGroups(Width11.self, base, groups, output)
        case 12: unpackGroups(Width12.self, base, groups, output)
        case 13: unpackGroups(Width13.self, base, groups, output)
        case 14: unpackGroups(Width14.self, base, groups, output)
        case 15: unpackGroups(Width15.self, base, groups, output)
        case 16: unpackGroups(Width16.self, base, groups, output)
        case 17: unpackGroups(Width17.self, base, groups, output)
        case 18: unpackGroups(Width18.self, base, groups, output)
        case 19: unpackGroups(Width19.self, base, groups, output)
        case 20: unpackGroups(Width20.self, base, groups, output)
        case 21: unpackGroups(Width21.self, base, groups, output)
        case 22: unpackGroups(Width22.self, base, groups, output)
        case 23: unpackGroups(Width23.self, base, groups, output)
        case 24: unpackGroups(Width24.self, base, groups, output)
        case 25: unpackGroups(Width25.self, base, groups, output)
        case 26: unpackGroups(Width26.self, base, groups, output)
        case 27: unpackGroups(Width27.self, base, groups, output)
        case 28: unpackGroups(Width28.self, base, groups, output)
        case 29: unpackGroups(Width29.self, base, groups, output)
        case 30: unpackGroups(Width30.self, base, groups, output)
        case 31: unpackGroups(Width31.self, base, groups, output)
        case 32: unpackGroups(Width32.self, base, groups, output)
        default: groups = 0
        }
        unpackTail(base, available: available, from: groups << 3, count: count, bits: bits, into: output)
    }

    /// Unpacks `groups` groups of 8 values of `W.bits` bits. Generic over the width so that
    /// it is compiled once per width, with every offset, shift and mask a constant (with its
    /// shift of at most 7, a value of up to 32 bits fits in one 8-byte load).
    @inline(__always)
    private static func unpackGroups<W: PackedWidth>(
        _ width: W.Type, _ base: UnsafeRawPointer, _ groups: Int, _ output: UnsafeMutablePointer<UInt32>
    ) {
        let bits = W.bits
        let mask: UInt64 = (1 << UInt64(bits)) - 1
        var source = base
        var target = output
        for _ in 0..<groups {
            target[0] = field(source, 0, mask)
            target[1] = field(source, bits, mask)
            target[2] = field(source, 2 * bits, mask)
            target[3] = field(source, 3 * bits, mask)
            target[4] = field(source, 4 * bits, mask)
            target[5] = field(source, 5 * bits, mask)
            target[6] = field(source, 6 * bits, mask)
            target[7] = field(source, 7 * bits, mask)
            source += bits
            target += 8
        }
    }

    /// The value at bit `bit` of `source` (8 bytes from `bit / 8` must be readable).
    @inline(__always)
    private static func field(_ source: UnsafeRawPointer, _ bit: Int, _ mask: UInt64) -> UInt32 {
        let word = UInt64(littleEndian: source.loadUnaligned(fromByteOffset: bit >> 3, as: UInt64.self))
        return UInt32(truncatingIfNeeded: (word >> UInt64(bit & 7)) & mask)
    }

    /// Unpacks values `start..<count` one at a time: with an 8-byte load while 8 bytes
    /// remain, byte by byte at the end of `source`.
    private static func unpackTail(
        _ base: UnsafeRawPointer, available: Int, from start: Int, count: Int, bits: Int, into output: UnsafeMutablePointer<UInt32>
    ) {
        let mask: UInt64 = bits == 32 ? 0xFFFF_FFFF : (1 << UInt64(bits)) - 1
        var bitOffset = start * bits
        var index = start
        while index < count {
            let byteIndex = bitOffset >> 3
            if byteIndex + 8 > available { break }
            let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: byteIndex, as: UInt64.self))
            output[index] = UInt32(truncatingIfNeeded: (word >> UInt64(bitOffset & 7)) & mask)
            bitOffset += bits
            index += 1
        }
        while index < count {
            let byteIndex = bitOffset >> 3
            var word: UInt64 = 0
            var shift: UInt64 = 0
            var next = byteIndex
            while next < available, shift < 64 {
                word |= UInt64(base.load(fromByteOffset: next, as: UInt8.self)) << shift
                next += 1
                shift += 8
            }
            output[index] = UInt32(truncatingIfNeeded: (word >> UInt64(bitOffset & 7)) & mask)
            bitOffset += bits
            index += 1
        }
    }
}

/// A bit width as a type, for ``BitPacking``'s unpacking loops specialized per width.
private protocol PackedWidth { static var bits: Int { get } }
private enum Width1: PackedWidth { static var bits: Int { 1 } }
private enum Width2: PackedWidth { static var bits: Int { 2 } }
private enum Width3: PackedWidth { static var bits: Int { 3 } }
private enum Width4: PackedWidth { static var bits: Int { 4 } }
private enum Width5: PackedWidth { static var bits: Int { 5 } }
private enum Width6: PackedWidth { static var bits: Int { 6 } }
private enum Width7: PackedWidth { static var bits: Int { 7 } }
private enum Width8: PackedWidth { static var bits: Int { 8 } }
private enum Width9: PackedWidth { static var bits: Int { 9 } }
private enum Width10: PackedWidth { static var bits: Int { 10 } }
private enum Width11: PackedWidth { static var bits: Int { 11 } }
private enum Width12: PackedWidth { static var bits: Int { 12 } }
private enum Width13: PackedWidth { static var bits: Int { 13 } }
private enum Width14: PackedWidth { static var bits: Int { 14 } }
private enum Width15: PackedWidth { static var bits: Int { 15 } }
private enum Width16: PackedWidth { static var bits: Int { 16 } }
private enum Width17: PackedWidth { static var bits: Int { 17 } }
private enum Width18: PackedWidth { static var bits: Int { 18 } }
private enum Width19: PackedWidth { static var bits: Int { 19 } }
private enum Width20: PackedWidth { static var bits: Int { 20 } }
private enum Width21: PackedWidth { static var bits: Int { 21 } }
private enum Width22: PackedWidth { static var bits: Int { 22 } }
private enum Width23: PackedWidth { static var bits: Int { 23 } }
private enum Width24: PackedWidth { static var bits: Int { 24 } }
private enum Width25: PackedWidth { static var bits: Int { 25 } }
private enum Width26: PackedWidth { static var bits: Int { 26 } }
private enum Width27: PackedWidth { static var bits: Int { 27 } }
private enum Width28: PackedWidth { static var bits: Int { 28 } }
private enum Width29: PackedWidth { static var bits: Int { 29 } }
private enum Width30: PackedWidth { static var bits: Int { 30 } }
private enum Width31: PackedWidth { static var bits: Int { 31 } }
private enum Width32: PackedWidth { static var bits: Int { 32 } }

/// CRC-32 (IEEE 802.3, as in zlib), for file checksums.
///
/// Slicing-by-8: eight tables let the loop fold in eight bytes per step instead of one (about
/// five times the byte-at-a-time speed; segment writes checksum every byte they write).
enum CRC32 {
    /// `tables[k][b]`: the CRC of byte `b` followed by `k` zero bytes, for k in 0..<8,
    /// stored one table after another.
    private static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for index in 0..<256 {
            var value = UInt32(index)
            for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
            tables[index] = value
        }
        for slice in 1..<8 {
            for index in 0..<256 {
                let previous = tables[(slice - 1) * 256 + index]
                tables[slice * 256 + index] = (previous >> 8) ^ tables[Int(previous & 0xFF)]
            }
        }
        return tables
    }()

    static func checksum(_ bytes: UnsafeRawBufferPointer, initial: UInt32 = 0) -> UInt32 {
        var crc = ~initial
        tables.withUnsafeBufferPointer { table in
            var offset = 0
            let count = bytes.count
            while offset + 8 <= count {
                let low = crc ^ bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian
                let high = bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self).littleEndian
                crc =
                    table[7 * 256 + Int(low & 0xFF)] ^ table[6 * 256 + Int((low >> 8) & 0xFF)]
                    ^ table[5 * 256 + Int((low >> 16) & 0xFF)] ^ table[4 * 256 + Int(low >> 24)]
                    ^ table[3 * 256 + Int(high & 0xFF)] ^ table[2 * 256 + Int((high >> 8) & 0xFF)]
                    ^ table[1 * 256 + Int((high >> 16) & 0xFF)] ^ table[Int(high >> 24)]
                offset += 8
            }
            while offset < count {
                crc = table[Int((crc ^ UInt32(bytes[offset])) & 0xFF)] ^ (crc >> 8)
                offset += 1
            }
        }
        return ~crc
    }

    static func checksum(_ bytes: [UInt8], initial: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, initial: initial) }
    }
}

/// The one-byte length norm: a document's field length quantized like Lucene's
/// `SmallFloat.intToByte4` (exact up to 24 terms, then 4 significant bits), so that the BM25
/// length factor of every document can be looked up in a table of 256 entries.
public enum LengthNorm {
    private static let freeValues = 255 - longToInt4(UInt64(Int32.max))  // 24

    private static func longToInt4(_ value: UInt64) -> Int {
        let bits = 64 - value.leadingZeroBitCount
        if bits < 4 { return Int(value) }
        let shift = bits - 4
        var encoded = Int(truncatingIfNeeded: value >> UInt64(shift)) & 0x07
        encoded |= (shift + 1) << 3
        return encoded
    }

    private static func int4ToLong(_ value: Int) -> Int {
        let bits = value & 0x07
        let shift = (value >> 3) - 1
        return shift == -1 ? bits : (bits | 0x08) << shift
    }

    /// The norm byte of a field with `length` terms.
    public static func encode(_ length: Int) -> UInt8 {
        if length < freeValues { return UInt8(max(0, length)) }
        return UInt8(min(255, freeValues + longToInt4(UInt64(min(length, Int(Int32.max)) - freeValues))))
    }

    /// The (approximate) length that a norm byte stands for.
    public static func decode(_ norm: UInt8) -> Int {
        let value = Int(norm)
        if value < freeValues { return value }
        return freeValues + int4ToLong(value - freeValues)
    }

    /// `decode(0...255)`, for table lookups.
    static let decodedLengths: [Double] = (0...255).map { Double(decode(UInt8($0))) }
}
