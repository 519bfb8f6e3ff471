/// An error of the clearing-house outside of input files (those are ``Diagnostic``s): a
/// missing catalog, an unknown record, a storage failure.
public struct ClearingHouseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is; the CLI maps it to an exit status.
    public enum Code: String, Sendable, Hashable {
        /// The catalog or a record does not exist.
        case notFound
        /// Input that cannot be used (invalid records, bad arguments).
        case invalidInput
        /// A search query that does not parse or names an unknown field, or a request
        /// parameter out of its range (``ClearingHouseError/parameter(_:_:)``).
        case invalidQuery
        /// Reading or writing the catalog or index failed.
        case storage
        /// Another process writes the index (an ingest, a harvest, a server's write) and did
        /// not finish within ``ClearingHouse/writeLockWait``: try again later, or wait longer.
        case locked
        /// A file of the index is damaged (`chm check --repair` rebuilds the index).
        case damaged
        /// A remote OAI-PMH provider could not be reached, or answered with something that
        /// is not a usable response (a harvest).
        case remote
        /// The request conflicts with what the catalog holds now, e.g. merging a record that
        /// is an alias of another (``ClearingHouseError/parameter`` names the argument).
        case conflict
    }

    /// What kind of failure this is (see ``Code``).
    public var code: Code
    /// A sentence describing the failure, shown to the user.
    public var message: String
    /// The request parameter at fault, when one is (`since`, `limit`, `kind`...).
    public var parameter: String?

    /// Creates an error of `code` with `message`, naming the request `parameter` at fault, if any.
    public init(_ code: Code, _ message: String, parameter: String? = nil) {
        self.code = code
        self.message = message
        self.parameter = parameter
    }

    /// The error's ``message``.
    public var description: String { message }

    /// The error of a request parameter a front end took from a user: code `invalidQuery`,
    /// ``parameter`` `name`, and the message `name: problem` (`k1: 12 is not between 0 and 10`).
    public static func parameter(_ name: String, _ problem: String) -> ClearingHouseError {
        ClearingHouseError(.invalidQuery, "\(name): \(problem)", parameter: name)
    }
}
