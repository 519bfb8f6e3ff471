// The statements a write transaction runs for every record (the look-up of older copies, the
// record's row, the change log, the OAI-PMH item and its set memberships), bound and read
// through SQLite's C API.
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
        var arguments = Arguments(handle: handle)
        bind(&arguments)
        // (Reset at the end, so that a read leaves no statement open in the transaction.)
        defer { sqlite3_reset(handle) }
        if arguments.code != SQLITE_OK { throw error(arguments.code) }
        // Every parameter, every time: SQLite keeps the last execution's values otherwise.
        let parameters = sqlite3_bind_parameter_count(handle)
        guard arguments.count == parameters else {
            throw DatabaseError(
                resultCode: .SQLITE_RANGE, message: "\(arguments.count) arguments for \(parameters) parameters", sql: statement.sql)
        }
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else { throw error(code) }
            try row(Columns(handle: handle))
        }
    }

    /// SQLite's error for result code `code`, as GRDB reports it (the catalog turns it into a
    /// ``ClearingHouseError`` naming the catalog).
    private func error(_ code: Int32) -> DatabaseError {
        let message = connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
        return DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
    }

    /// The arguments of one execution, bound in order from the first parameter.
    struct Arguments {
        fileprivate let handle: OpaquePointer
        private var index: Int32 = 0
        /// The parameters bound so far.
        fileprivate var count: Int32 { index }
        /// The first binding's failure (`SQLITE_OK` when none failed).
        fileprivate private(set) var code = SQLITE_OK

        fileprivate init(handle: OpaquePointer) {
            self.handle = handle
        }

        /// Binds `value` (NULL when nil) to the next parameter; SQLite copies the text.
        mutating func add(_ value: String?) {
            index += 1
            guard var value else { return note(sqlite3_bind_null(handle, index)) }
            let result = value.withUTF8 { bytes in
                // (An empty buffer may have no address, which SQLite would take for NULL.)
                bytes.isEmpty
                    ? sqlite3_bind_text(handle, index, "", 0, SQLITE_TRANSIENT)
                    : bytes.withMemoryRebound(to: CChar.self) { text in
                        sqlite3_bind_text(handle, index, text.baseAddress, Int32(clamping: text.count), SQLITE_TRANSIENT)
                    }
            }
            note(result)
        }

        /// Binds `value` (NULL when nil) to the next parameter.
        mutating func add(_ value: Int64?) {
            index += 1
            note(value.map { sqlite3_bind_int64(handle, index, $0) } ?? sqlite3_bind_null(handle, index))
        }

        /// Binds `value` (NULL when nil) to the next parameter.
        mutating func add(_ value: Int?) {
            add(value.map(Int64.init))
        }

        /// Binds `value` (NULL when nil) to the next parameter.
        mutating func add(_ value: Double?) {
            index += 1
            note(value.map { sqlite3_bind_double(handle, index, $0) } ?? sqlite3_bind_null(handle, index))
        }

        private mutating func note(_ result: Int32) {
            if code == SQLITE_OK { code = result }
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

/// SQLite's `SQLITE_TRANSIENT` destructor (a C macro Swift does not import): SQLite copies the
/// bound text before the call returns.
private let SQLITE_TRANSIENT = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
