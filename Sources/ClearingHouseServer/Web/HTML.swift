/// A piece of HTML whose text parts were escaped when it was built.
///
/// Interpolating a `String` (or anything printed as one) escapes it; interpolating `HTML`
/// inserts it as it is. So a value from a record or a URL can only reach a page as text:
///
/// ```swift
/// let title = "<script>alert(1)</script>"
/// let page: HTML = "<h1>\(title)</h1>"   // <h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>
/// ```
///
/// Attribute values are always written between double quotes, and the escaping covers
/// `&`, `<`, `>`, `"` and `'`, so the same escaping is safe in text and in attributes.
struct HTML: Sendable, Hashable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The markup.
    private(set) var text: String

    /// Markup taken as it is: only for literals of this module.
    init(unsafeRaw text: String) { self.text = text }

    init(stringLiteral value: String) { text = value }

    init(stringInterpolation: StringInterpolation) { text = stringInterpolation.output }

    var description: String { text }

    static let empty = HTML(unsafeRaw: "")

    struct StringInterpolation: StringInterpolationProtocol {
        var output = ""

        init(literalCapacity: Int, interpolationCount: Int) { output.reserveCapacity(literalCapacity * 2) }

        mutating func appendLiteral(_ literal: String) { output += literal }

        /// Text: escaped.
        mutating func appendInterpolation(_ value: String) { output += HTML.escape(value) }

        /// Text: escaped.
        mutating func appendInterpolation(_ value: Substring) { output += HTML.escape(String(value)) }

        /// A number.
        mutating func appendInterpolation(_ value: Int) { output += String(value) }

        /// Markup built by this module.
        mutating func appendInterpolation(_ value: HTML) { output += value.text }

        /// Markup pieces one after another.
        mutating func appendInterpolation(_ values: [HTML]) { for value in values { output += value.text } }

        /// Optional markup: nothing when nil.
        mutating func appendInterpolation(_ value: HTML?) { if let value { output += value.text } }
    }

    /// `text` with the five characters that matter in HTML text and quoted attributes replaced,
    /// and the control characters HTML does not allow (C0 but tab, line feed, form feed and
    /// carriage return; DEL; C1) as U+FFFD, as the feed writes them; bidirectional embeddings
    /// and overrides are left out.
    static func escape(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&#39;"
            case "\u{0}"..."\u{8}", "\u{B}", "\u{E}"..."\u{1F}", "\u{7F}"..."\u{9F}": output += "\u{FFFD}"
            // Bidirectional embeddings and overrides (LRE, RLE, PDF, LRO, RLO) are left out: in
            // a record's text they reorder what follows (QA: a request's `U+202E abc` showed
            // as `cba`). The page sets each text's direction itself (`dir="auto"`).
            case "\u{202A}"..."\u{202E}": break
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output
    }

    /// Pieces joined by `separator`.
    static func join(_ pieces: [HTML], separator: HTML = "") -> HTML {
        HTML(unsafeRaw: pieces.map(\.text).joined(separator: separator.text))
    }

    static func + (left: HTML, right: HTML) -> HTML { HTML(unsafeRaw: left.text + right.text) }

    static func += (left: inout HTML, right: HTML) { left.text += right.text }

    /// ` name="value"` when `value` is given, else nothing.
    static func attribute(_ name: String, _ value: String?) -> HTML {
        guard let value else { return .empty }
        return HTML(unsafeRaw: " \(name)=\"\(escape(value))\"")
    }

    /// The text of a snippet with its highlights in `<mark>`, everything escaped.
    static func marked(_ text: String, highlights: [Range<Int>]) -> HTML {
        let characters = Array(text)
        var output = HTML.empty
        var position = 0
        for range in highlights.sorted(by: { $0.lowerBound < $1.lowerBound })
        where range.lowerBound >= position && range.upperBound <= characters.count {
            output += "\(String(characters[position..<range.lowerBound]))<mark>\(String(characters[range]))</mark>"
            position = range.upperBound
        }
        if position < characters.count { output += "\(String(characters[position...]))" }
        return output
    }
}
