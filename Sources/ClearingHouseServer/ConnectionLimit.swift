// Every open connection holds a file descriptor, and so do the catalog and the index's
// segments. A client that opens connections by the thousand (QA: 20,000, up to the process's
// limit) would leave the server none to open a segment or the catalog with; the process then
// failed. Connections beyond a share of the descriptor limit are closed as soon as accepted.
import NIOCore
import NIOHTTPTypes
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Counts the server's open connections and refuses (closes) those beyond ``maximum``.
final class ConnectionLimit: Sendable {
    /// The most connections open at once.
    let maximum: Int
    private let open = Atomic<Int>(0)

    /// A limit of `maximum` connections.
    init(maximum: Int) {
        self.maximum = max(1, maximum)
    }

    /// The default for this process: its soft limit on open files, less 256 kept for the
    /// catalog, the index and the rest (at least 64).
    static func defaultMaximum() -> Int {
        var limit = rlimit()
        // (No limit reads as the largest value: then 10,000.)
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < 1 << 31 else { return 10_000 }
        return max(64, Int(limit.rlim_cur) - 256)
    }

    /// Counts a connection in; false when it is over the limit (it is counted anyway, and
    /// counted out when it closes).
    func enter() -> Bool {
        open.wrappingAdd(1, ordering: .relaxed).newValue <= maximum
    }

    func leave() {
        open.wrappingSubtract(1, ordering: .relaxed)
    }

    /// The handler that counts a connection in for its lifetime, and closes it at once when
    /// it is over the limit.
    func handler() -> ConnectionLimitHandler {
        ConnectionLimitHandler(limit: self)
    }
}

/// Counts its connection in a ``ConnectionLimit`` while it is open; closes it at once when it
/// is over the limit (before anything is read: the client sees the connection closed).
final class ConnectionLimitHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart

    private let limit: ConnectionLimit
    private var checked = false
    private var counted = false

    init(limit: ConnectionLimit) {
        self.limit = limit
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // (A connection's handlers are added before it is active; closing it then is not
        // reliable, so it is counted in when it becomes active.)
        if context.channel.isActive { countIn(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        countIn(context: context)
        context.fireChannelActive()
    }

    private func countIn(context: ChannelHandlerContext) {
        guard !checked else { return }
        checked = true
        counted = true
        if !limit.enter() { context.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        leaveOnce()
    }

    func channelInactive(context: ChannelHandlerContext) {
        leaveOnce()
        context.fireChannelInactive()
    }

    private func leaveOnce() {
        guard counted else { return }
        counted = false
        limit.leave()
    }
}
