#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The two date forms of the record format: `published` (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`)
/// and `updated` (an RFC 3339 date-time).
public enum RecordDate {
    /// Checks a `published` value; returns nil when it is well formed, else what is wrong.
    public static func problemWithPublished(_ text: String) -> String? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        let expected = "expected YYYY, YYYY-MM or YYYY-MM-DD, found \"\(text)\""
        guard (1...3).contains(parts.count),
            parts.allSatisfy({ $0.allSatisfy { $0 >= "0" && $0 <= "9" } }),
            parts[0].count == 4, let year = Int(parts[0])
        else { return expected }
        if parts.count >= 2 {
            guard parts[1].count == 2, let month = Int(parts[1]) else { return expected }
            guard (1...12).contains(month) else { return "month \(parts[1]) is out of range in \"\(text)\"" }
            if parts.count == 3 {
                guard parts[2].count == 2, let day = Int(parts[2]) else { return expected }
                guard (1...daysInMonth(year: year, month: month)).contains(day) else {
                    return "day \(parts[2]) does not exist in \(parts[0])-\(parts[1])"
                }
            }
        }
        return nil
    }

    /// The first date in free text that a `published` value can hold, or nil when there is
    /// none: what a harvested `dc:date` means.
    ///
    /// A date is 4 digits (a year) standing alone, optionally followed by `-MM` and `-DD`,
    /// or 8 digits (`YYYYMMDD`); the longest form that exists is taken (`1998-99` is 1998).
    /// `2011-03-26 19:16:19`, `2011-03-26T19:16:19Z` → `2011-03-26`; `2025-07-13/2025-07-16`
    /// → `2025-07-13`; `ca. 1998` → `1998`; `2004 [printed 2005]` → `2004`;
    /// `info:eu-repo/date/embargoEnd/2025-01-01` → `2025-01-01`; `n.d.` → nil.
    package static func published(in text: String) -> String? {
        let bytes = Array(text.utf8)
        func isDigit(_ index: Int) -> Bool { index < bytes.count && bytes[index] >= 0x30 && bytes[index] <= 0x39 }
        func slice(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
        /// Whether `-DD` (two digits, then no digit) starts at `index`.
        func twoDigitPart(at index: Int) -> Bool {
            index < bytes.count && bytes[index] == UInt8(ascii: "-") && isDigit(index + 1) && isDigit(index + 2) && !isDigit(index + 3)
        }
        var index = 0
        while index < bytes.count {
            guard isDigit(index) else {
                index += 1
                continue
            }
            var end = index
            while isDigit(end) { end += 1 }
            var candidates: [String] = []
            if end - index == 4 {
                let year = slice(index..<end)
                if twoDigitPart(at: end) {
                    let month = year + slice(end..<end + 3)
                    if twoDigitPart(at: end + 3) { candidates.append(month + slice(end + 3..<end + 6)) }
                    candidates.append(month)
                }
                candidates.append(year)
            } else if end - index == 8 {
                candidates.append(slice(index..<index + 4) + "-" + slice(index + 4..<index + 6) + "-" + slice(index + 6..<end))
            }
            if let date = candidates.first(where: { problemWithPublished($0) == nil }) { return date }
            index = end
        }
        return nil
    }

    /// The year of a `published` value.
    public static func year(ofPublished text: String) -> Int? {
        Int(text.prefix(4))
    }

    /// Seconds since 1970-01-01T00:00:00Z of an RFC 3339 date-time, or nil when `text` is not one.
    public static func secondsSinceEpoch(rfc3339 text: String) -> Double? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[range] {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard bytes.count >= 20,
            let year = number(0..<4), bytes[4] == UInt8(ascii: "-"),
            let month = number(5..<7), bytes[7] == UInt8(ascii: "-"),
            let day = number(8..<10), bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"),
            let hour = number(11..<13), bytes[13] == UInt8(ascii: ":"),
            let minute = number(14..<16), bytes[16] == UInt8(ascii: ":"),
            let second = number(17..<19),
            (1...12).contains(month), (1...daysInMonth(year: year, month: month)).contains(day),
            hour < 24, minute < 60, second <= 60
        else { return nil }
        var index = 19
        var fraction = 0.0
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            let start = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                fraction += Double(bytes[index] - 0x30) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        guard index < bytes.count else { return nil }
        var offset = 0
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == bytes.count else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard index + 6 == bytes.count, let hours = number(index + 1..<index + 3),
                bytes[index + 3] == UInt8(ascii: ":"), let minutes = number(index + 4..<index + 6),
                hours < 24, minutes < 60
            else { return nil }
            offset = (hours * 60 + minutes) * 60 * (bytes[index] == UInt8(ascii: "+") ? 1 : -1)
        default:
            return nil
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Double(seconds) + fraction
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// How far ahead of the clock an `updated` may be and still count (a publisher's clock a
    /// little fast, local time written as UTC): one day. Beyond it, a warning at ingest, and
    /// a stored copy's date no longer keeps an older copy out.
    public static let futureTolerance: Double = 86_400

    /// The current time in seconds since 1970 (the system's clock).
    public static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// An RFC 3339 UTC date-time (`2024-05-01T09:30:00Z`) for a moment in seconds since 1970.
    public static func rfc3339(secondsSinceEpoch seconds: Double) -> String {
        let total = Int(seconds.rounded(.down))
        let days = total >= 0 ? total / 86_400 : (total - 86_399) / 86_400
        let secondOfDay = total - days * 86_400
        // civil from days (Hinnant)
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(year)-\(two(month))-\(two(day))T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))Z"
    }
}
