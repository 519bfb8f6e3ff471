// The statements a write transaction runs for every record (the look-up of older copies, the
// record's row, the change log, the OAI-PMH item and its set memberships), bound and read
// through SQLite's C API, their texts bound where they are (SQLite copied each one into a
// buffer it allocated: a third of an ingest's calls to malloc were SQLite's).
//
// GRDB's `execute(arguments:)` builds a `StatementArguments` for each execution (an array of
// boxed `DatabaseValueConvertible` values), finds its cached statement by hashing the SQL text,
// and prepares transaction observers the catalog has none of; `Row.fetchAll` allocates a row
// object per row. `perf` of `chm ingest` put 9% of all its CPU in those wrappers, around 12% in
// SQLite itself. Here a transaction prepares each statement once (``Catalog/Writer``) and binds
// its values one by one. Everything else in the catalog goes through GRDB.
import GRDB
import GRDBSQLite

/// A statement prepared for one transaction and run many times, with its arguments bound
/// and its columns read straight through SQLite.
///
/// Not `Sendable`: it belongs to the writer connection of one transaction.
final class SQLiteStatement {
    private let statement: Statement
    private let connection: OpaquePointer?
    private var handle: OpaquePointer { statement.sqliteStatement }

    init(_ sql: String, in db: Database) throws {
        statement = try db.makeStatement(sql: sql)
        connection = db.sqliteConnection
    }

    /// Runs the statement to its end with the arguments `bind` gives, in order.
    func execute(_ bind: (inout Arguments) -> Void) throws {
        try forEachRow(bind) { _ in }
    }

    /// Runs the statement with the arguments `bind` gives, calling `row` with each row.
    func forEachRow(_ bind: (inout Arguments) -> Void, _ row: (Columns) throws -> Void) throws {
        // The arguments' storage is this statement's, reused from one execution to the next
        // (moved out and back, so that emptying it keeps its capacity).
        var arguments = Arguments()
        swap(&arguments.values, &values)
        swap(&arguments.text, &text)
        defer {
            swap(&arguments.values, &values)
            swap(&arguments.text, &text)
        }
        arguments.values.removeAll(keepingCapacity: true)
        arguments.text.removeAll(keepingCapacity: true)
        arguments.text.append(0)
        bind(&arguments)
        // Every parameter, every time: SQLite keeps the last execution's values otherwise.
        let parameters = sqlite3_bind_parameter_count(handle)
        guard arguments.values.count == parameters else {
            throw DatabaseError(
                resultCode: .SQLITE_RANGE, message: "\(arguments.values.count) arguments for \(parameters) parameters", sql: statement.sql)
        }
        // The texts are bound where they are (SQLITE_STATIC: no copy, no allocation for each
        // value), so binding and stepping happen while the buffer holding them is pinned; the
        // bindings are cleared before it is let go.
        try arguments.text.withUnsafeBufferPointer { text in
            defer {
                // (Reset at the end, so that a read leaves no statement open in the transaction.)
                sqlite3_reset(handle)
                sqlite3_clear_bindings(handle)
            }
            for (offset, value) in arguments.values.enumerated() {
                let index = Int32(offset + 1)
                let code: Int32
                switch value {
                case .null: code = sqlite3_bind_null(handle, index)
                case .integer(let number): code = sqlite3_bind_int64(handle, index, number)
                case .real(let number): code = sqlite3_bind_double(handle, index, number)
                case .text(let start, let count):
                    // (`text` always holds a byte, so that an empty text has an address: SQLite
                    // would take a missing one for NULL.)
                    let address = UnsafeRawPointer(text.baseAddress.map { $0 + start })?.assumingMemoryBound(to: CChar.self)
                    code = sqlite3_bind_text(handle, index, address, Int32(clamping: count), SQLITE_STATIC)
                }
                guard code == SQLITE_OK else { throw error(code) }
            }
            while true {
                let code = sqlite3_step(handle)
                if code == SQLITE_DONE { return }
                guard code == SQLITE_ROW else { throw error(code) }
                try row(Columns(handle: handle))
            }
        }
    }

    /// SQLite's error for result code `code`, as GRDB reports it (the catalog turns it into a
    /// ``ClearingHouseError`` naming the catalog).
    private func error(_ code: Int32) -> DatabaseError {
        let message = connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
        return DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
    }

    /// One argument: its value, or where its text is in the execution's text buffer.
    enum Value {
        case null
        case integer(Int64)
        case real(Double)
        case text(start: Int, count: Int)
    }

    /// The storage of the arguments of the next execution (kept between executions).
    private var values: [Value] = []
    private var text: [UInt8] = []

    /// The arguments of one execution, in order from the first parameter.
    struct Arguments {
        fileprivate var values: [Value] = []
        /// The texts' bytes, one after the other (after one byte that gives an empty text an
        /// address).
        fileprivate var text: [UInt8] = []

        fileprivate init() {}

        /// Adds `value` (NULL when nil) as the next parameter.
        mutating func add(_ value: String?) {
            guard var value else { return values.append(.null) }
            let start = text.count
            value.withUTF8 { text.append(contentsOf: $0) }
            values.append(.text(start: start, count: text.count - start))
        }

        /// Adds `value` (NULL when nil) as the next parameter.
        mutating func add(_ value: Int64?) {
            values.append(value.map(Value.integer) ?? .null)
        }

        /// Adds `value` (NULL when nil) as the next parameter.
        mutating func add(_ value: Int?) {
            add(value.map(Int64.init))
        }

        /// Adds `value` (NULL when nil) as the next parameter.
        mutating func add(_ value: Double?) {
            values.append(value.map(Value.real) ?? .null)
        }
    }

    /// The columns of the current row, by position from 0.
    struct Columns {
        fileprivate let handle: OpaquePointer

        /// The column's text, or nil when it is NULL.
        func text(_ column: Int32) -> String? {
            guard sqlite3_column_type(handle, column) != SQLITE_NULL, let text = sqlite3_column_text(handle, column) else {
                return nil
            }
            let count = Int(sqlite3_column_bytes(handle, column))
            return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
        }

        /// The column's number, or nil when it is NULL.
        func double(_ column: Int32) -> Double? {
            sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : sqlite3_column_double(handle, column)
        }
    }
}

/// SQLite's `SQLITE_STATIC` destructor (a C macro Swift does not import): the bound text stays
/// where it is, and the caller keeps it there until the statement no longer uses it.
private let SQLITE_STATIC: sqlite3_destructor_type? = nil
