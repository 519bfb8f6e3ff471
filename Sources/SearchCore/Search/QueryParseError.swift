/// A query that ``QueryParser`` cannot read, with the place where reading stopped.
///
/// The position counts Swift `Character`s (grapheme clusters) from the start of the query
/// text, so it matches what a user sees: in `红树林 AND` the dangling `AND` ends at 7.
///
/// ```swift
/// do {
///     _ = try QueryParser().parse("mangrove AND")
/// } catch {
///     print(error)  // position 12: expected a term after AND
/// }
/// ```
public struct QueryParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The 0-based `Character` offset in the query text where the problem is.
    ///
    /// It is always in `0...text.count`. When the query ends too early, it is where the
    /// unfinished part starts: the `(` or `"` left open (`(a` is at 0), or `text.count` after
    /// an operator with nothing after it (`mangrove AND` is at 12).
    public var position: Int

    /// What the parser expected at ``position``, in a few words: `"a term"`, `"')'"`,
    /// `"closing '\"'"`.
    public var expected: String

    /// A sentence that starts with "expected" and names what was expected, and where the
    /// construct that needed it began, e.g. `"expected ')' to close '(' at 4"`.
    public var message: String

    /// The message prefixed with its position, e.g. `"position 7: expected a term after AND"`.
    public var description: String { "position \(position): \(message)" }

    init(position: Int, expected: String, message: String) {
        self.position = position
        self.expected = expected
        self.message = message
    }
}
