import ArgumentParser
import ClearingHouse
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Terminal output: standard error lines, progress, and mapping errors to exit codes.
enum Console {
    /// Exit status for input that could not be stored or is invalid.
    static let invalidInput = ExitCode(65)
    /// Exit status when a remote service (an OAI-PMH provider) failed (EX_UNAVAILABLE).
    static let unavailable = ExitCode(69)

    /// Whether standard error is a terminal (for the progress line and colours).
    static let stderrIsTerminal = isatty(STDERR_FILENO) == 1
    static let stdoutIsTerminal = isatty(STDOUT_FILENO) == 1

    /// `text` with its control characters (an escape sequence pasted into a query, a tab, a
    /// new line) and its bidirectional controls (which reorder what follows them on the line)
    /// written as `\u{1B}`, so that echoing what a user typed never drives the terminal.
    static func visible(_ text: String) -> String {
        escaping(text) { Diagnostic.isBidirectionalControl($0) || $0.properties.generalCategory == .control }
    }

    /// `text` with each scalar that `hidden` picks written as `\u{1B}` (``visible(_:)`` and
    /// ``printable(_:)`` differ only in what they pick); where line feeds are kept, a carriage
    /// return before one is dropped (a Windows line break: the line feed says it).
    private static func escaping(_ text: some StringProtocol, _ hidden: (Unicode.Scalar) -> Bool) -> String {
        guard text.unicodeScalars.contains(where: hidden) else { return String(text) }
        var shown = ""
        let scalars = Array(text.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            if scalar == "\r", index + 1 < scalars.count, scalars[index + 1] == "\n", !hidden("\n") { continue }
            if hidden(scalar) {
                shown += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                shown.unicodeScalars.append(scalar)
            }
        }
        return shown
    }

    /// Text from records (titles, snippets, labels, a harvested repository's name) as standard
    /// output shows it: `text` with its control characters other than line breaks and tabs (an
    /// escape sequence, a bare carriage return that would overwrite the line) and the
    /// bidirectional overrides, embeddings and isolates (which reorder the rest of a line)
    /// written as `\u{1B}`, so that a record never drives the terminal (QA: a title with an
    /// escape sequence turned the rest of the output red). The marks U+200E, U+200F and
    /// U+061C, which only set a direction, stay.
    static func printable(_ text: some StringProtocol) -> String {
        escaping(text) { scalar in
            switch scalar.value {
            case 0x0A, 0x09, 0x200E, 0x200F, 0x061C: false
            default: Diagnostic.isBidirectionalControl(scalar) || scalar.properties.generalCategory == .control
            }
        }
    }

    /// "1 match", "2 matches": `count` and `noun`, in the singular or the plural (`noun` +
    /// "s" unless `plural` is given).
    static func counted(_ count: Int, _ noun: String, plural: String? = nil) -> String {
        "\(count) " + (count == 1 ? noun : plural ?? noun + "s")
    }

    /// Writes one line to standard error.
    static func error(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Says on standard error that `response` comes from an index that lags the catalog
    /// (search, match and similar alike).
    static func warnIfStale(_ response: SearchResponse) {
        guard response.stale else { return }
        error(
            "chm: warning: the index is behind the catalog (a write is under way, or was interrupted); these results are from its last commit. A write under way catches up when it ends; after an interrupted one, the next ingest or delete, or `chm check --repair`, does")
    }

    /// Prints a diagnostic (clearing any progress line first).
    static func report(_ diagnostic: Diagnostic) {
        clearProgress()
        error(diagnostic.description)
    }

    nonisolated(unsafe) private static var kept: [AnyObject] = []

    /// Keeps `object` until the process exits, so that what it holds is never freed: a
    /// command that reads and exits need not take apart what it built (freeing a large
    /// thesaurus's tables was a sixth of a search's time). Only for commands that write
    /// nothing: the operating system releases the files and locks.
    static func keepUntilExit(_ object: AnyObject) {
        kept.append(object)
    }

    nonisolated(unsafe) private static var progressShown = false

    /// Whether the running command takes `--wait` (set by ``WriteOptions/lockWait(default:)``):
    /// a lock error says to pass it only then.
    nonisolated(unsafe) static var takesWait = false

    /// Shows `text` as the live progress line on a terminal.
    static func progress(_ text: String) {
        guard stderrIsTerminal else { return }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
        progressShown = true
    }

    static func clearProgress() {
        guard progressShown else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        progressShown = false
    }

    /// The command line's options where the library names a parameter otherwise (the HTTP
    /// API's names): `--in-country`, not `inCountry`.
    static let optionNames = [
        "inCountry": "--in-country", "assistanceTypes": "--help-type", "minMatch": "--min-match", "defaultLanguage": "--language",
        "oaiPageSize": "--oai-page-size", "maxBodyMb": "--max-body-mb", "maxConnections": "--max-connections",
        "corsOrigin": "--cors-origin", "oaiAdminEmail": "--oai-admin-email", "oaiBaseUrl": "--oai-base-url",
        "translationWeight": "--translation-weight", "set": "--set",
    ]

    /// The message of `error` with the parameter it names as the command line's option.
    static func message(of error: ClearingHouseError) -> String {
        guard let parameter = error.parameter, let option = optionNames[parameter], error.message.hasPrefix(parameter + ":") else {
            return error.message
        }
        return option + error.message.dropFirst(parameter.count)
    }

    /// Runs `body`, turning library errors into one line on standard error and an exit code.
    static func run<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ClearingHouseError {
            clearProgress()
            // (A write that found another writing can wait for it: say how, in this front end.)
            let advice = error.code == .locked && takesWait && !error.message.contains("(waited") ? " (or pass --wait SECONDS to wait for it)" : ""
            self.error("chm: error: \(message(of: error))\(advice)")
            switch error.code {
            case .invalidInput: throw invalidInput
            case .invalidQuery: throw ExitCode.validationFailure
            case .notFound, .storage, .damaged, .conflict, .locked: throw ExitCode.failure
            case .remote: throw unavailable
            }
        } catch let error as Diagnostic {
            clearProgress()
            self.error(error.description)
            throw invalidInput
        }
    }

    /// Writes JSON to standard output.
    static func printJSON(_ value: JSONValue, pretty: Bool = false) {
        print(pretty ? value.prettyDescription : value.description)
    }

    /// Writes a library document to standard output, as the library encodes it
    /// (``JSONValue/text(encoding:)``: members in their documented order).
    static func printJSON(_ document: some Encodable) throws {
        print(try JSONValue.text(encoding: document))
    }

    /// Peak resident memory of this process so far, in bytes.
    static var peakMemoryBytes: Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024  // Linux reports kilobytes
    }

    /// `12,345`.
    static func grouped(_ value: Int) -> String {
        let digits = String(value)
        var output = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { output.append(",") }
            output.append(character)
        }
        return output
    }
}
