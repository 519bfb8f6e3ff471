import Foundation

/// CSV rows for `chm export --format csv` (RFC 4180: comma-separated, CRLF-free, fields with
/// commas, quotes or line breaks quoted; a cell that would start a spreadsheet formula starts
/// with an apostrophe). Lists are joined with "; ".
enum CSVExport {
    static let columns = [
        "id", "kind", "title", "languages", "countries", "regions", "themes", "targets", "keywords", "published",
        "updated", "license",
    ]

    static var header: String { columns.joined(separator: ",") + "\n" }

    static func row(for record: Record) -> String {
        let fields: [String] = [
            record.id, record.kind.rawValue, record.title.resolved(preferring: "en")?.text ?? "",
            record.textLanguages.joined(separator: "; "), record.countries.joined(separator: "; "),
            record.regions.joined(separator: "; "), record.themes.joined(separator: "; "),
            record.targets.joined(separator: "; "), record.keywords.joined(separator: "; "), record.published ?? "",
            record.updated ?? "", record.license ?? "",
        ]
        return fields.map(quote).joined(separator: ",") + "\n"
    }

    static func quote(_ field: String) -> String {
        // A cell that a spreadsheet would read as a formula (`=HYPERLINK(...)`, `+`, `-`, `@`,
        // or a tab or carriage return first) starts with an apostrophe instead, as OWASP
        // advises for CSV injection: records come from many publishers.
        let field = field.first.map { "=+-@\t\r".contains($0) } == true ? "'" + field : field
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
