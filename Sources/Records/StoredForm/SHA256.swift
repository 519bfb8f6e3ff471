import CSHA256

/// SHA-256 (FIPS 180-4), for the content hash of stored records and the OAI-PMH tokens' MAC.
/// Every ingested record is hashed, so the work is done in C (`Sources/CSHA256`), on the CPU's
/// SHA extensions when it has them.
package enum SHA256 {
    /// The 32-byte digest of `bytes`.
    package static func digest<Bytes: Collection>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var digest = [UInt8](repeating: 0, count: 32)
        digest.withUnsafeMutableBufferPointer { output in
            let hashed: Void? = bytes.withContiguousStorageIfAvailable { input in
                chm_sha256(input.baseAddress, input.count, output.baseAddress)
            }
            if hashed == nil {
                let copy = Array(bytes)
                copy.withUnsafeBufferPointer { chm_sha256($0.baseAddress, $0.count, output.baseAddress) }
            }
        }
        return digest
    }

    /// The digest of `bytes` as 64 lower-case hex digits.
    package static func hex<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        hexDigits(digest(bytes))
    }

    /// The digest computed by the portable code, whatever the CPU has (tests compare the paths).
    package static func portableHex(_ bytes: [UInt8]) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        digest.withUnsafeMutableBufferPointer { output in
            bytes.withUnsafeBufferPointer { chm_sha256_portable($0.baseAddress, $0.count, output.baseAddress) }
        }
        return hexDigits(digest)
    }

    private static func hexDigits(_ digest: [UInt8]) -> String {
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: digest.count * 2) { output in
            for (i, byte) in digest.enumerated() {
                output[2 * i] = digits.utf8Start[Int(byte >> 4)]
                output[2 * i + 1] = digits.utf8Start[Int(byte & 0xF)]
            }
            return digest.count * 2
        }
    }
}
