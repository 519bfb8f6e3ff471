import Foundation

/// The OAI-PMH sets of records: by kind (`kind:technology`), country (`country:KE`), region
/// and theme, each under its top-level set (`kind`, `country`, `region`, `theme`).
///
/// A set spec may only hold `A-Za-z0-9-_.!*'()` between its colons, so other bytes of a
/// region or theme are written `~XX` (the byte in upper-case hex): the region `Small Island
/// Developing States` is the set `region:Small~20Island~20Developing~20States`.
enum OAISets {
    /// The leaf sets of `record`, in category order.
    static func specs(of record: Record) -> [String] {
        var specs: [String] = []
        specs.reserveCapacity(1 + record.countries.count + record.regions.count + record.themes.count)
        specs.append("kind:" + record.kind.rawValue)
        for country in record.countries { appendOnce("country:" + encode(country), to: &specs) }
        for region in record.regions { appendOnce("region:" + encode(region), to: &specs) }
        for theme in record.themes { appendOnce("theme:" + encode(theme), to: &specs) }
        return specs
    }

    /// The leaf sets and the top-level sets above them.
    static func memberships(ofLeaves leaves: [String]) -> [String] {
        var specs: [String] = []
        specs.reserveCapacity(leaves.count + 4)
        for leaf in leaves { appendOnce(leaf, to: &specs) }
        for leaf in leaves {
            if let colon = leaf.firstIndex(of: ":") { appendOnce(String(leaf[..<colon]), to: &specs) }
        }
        return specs
    }

    /// Appends `spec` unless `specs` has it (a record is in a few sets: a look along the list
    /// costs less than a hash set made for each record stored).
    private static func appendOnce(_ spec: String, to specs: inout [String]) {
        if !specs.contains(spec) { specs.append(spec) }
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "-_.!*'()".utf8.contains(byte)
        }
    }

    /// A value as one component of a set spec.
    static func encode(_ value: String) -> String {
        var out = ""
        for byte in value.utf8 {
            if isUnreserved(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "~" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    /// The value of an encoded component, or nil when it is not one.
    static func decode(_ component: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(component.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "~") {
                guard let high = iterator.next(), let low = iterator.next(),
                    let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
                else { return nil }
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// Whether `spec` follows the OAI-PMH setSpec grammar.
    static func isValidSpec(_ spec: String) -> Bool {
        let components = spec.split(separator: ":", omittingEmptySubsequences: false)
        return !components.isEmpty
            && components.allSatisfy { component in !component.isEmpty && component.utf8.allSatisfy { isUnreserved($0) || $0 == UInt8(ascii: "~") } }
    }

    /// A human-readable name for a set.
    static func name(of spec: String) -> String {
        let parts = spec.split(separator: ":", maxSplits: 1)
        guard parts.count == 2 else {
            switch spec {
            case "kind": return "Records by kind"
            case "country": return "Records by country"
            case "region": return "Records by region"
            case "theme": return "Records by theme"
            default: return spec
            }
        }
        let value = decode(parts[1]) ?? String(parts[1])
        switch parts[0] {
        case "kind": return "Kind: \(value)"
        case "country":
            let name = CountryRegions.englishName(of: value)
            return "Country: \(name.map { "\($0) (\(value))" } ?? value)"
        case "region": return "Region: \(value)"
        case "theme": return "Theme: \(value)"
        default: return value
        }
    }
}

extension String {
    /// The string with zeros in front, up to `width` characters.
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
