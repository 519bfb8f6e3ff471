// The one error type of the engine's index files and searches, with a kind a caller can act
// on; the advice that names a command comes from the caller.

/// An error of the index: its files or an argument, with what to do about it. Callers map the
/// ``Code`` to their own advice (the clearing-house names `chm check --repair` for `corrupt`).
public struct IndexError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is: what a caller can do about it.
    public enum Code: String, Sendable, Hashable {
        /// A file is damaged (bad checksum, truncated, wrong magic).
        case corrupt
        /// A file could not be read or written.
        case io
        /// Another process holds the index for writing.
        case locked
        /// The index was built with a different schema.
        case schemaMismatch
        /// An argument is not valid (e.g. an unknown field).
        case invalidArgument
    }

    /// What kind of failure this is (see ``Code``).
    public var code: Code
    /// A sentence describing the failure (without the advice a caller adds).
    public var message: String
    /// The field name of the query that the error is about (an unknown field, or a keyword
    /// field given a prefix, `kind:tech*`), as written: ``QueryParser/position(ofField:in:)``
    /// finds where it is first written in the query's text.
    public var field: String?

    /// An error of `code` with `message`, naming the query's `field` at fault, if any.
    public init(_ code: Code, _ message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    /// The error's ``message``.
    public var description: String { message }
}
