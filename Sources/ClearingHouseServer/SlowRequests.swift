// A client that sends its request body a byte at a time resets the idle timeout with every
// byte, and so could hold a connection (a file descriptor and its buffers) for as long as it
// likes: thousands of them exhaust the process's descriptors. This handler gives a request
// the idle timeout to start, and then as long as its body takes at a modest minimum rate; a
// request that falls behind is answered 408 and its connection closed.
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Times out a request whose body arrives slower than ``minimumBytesPerSecond`` after a
/// grace period: from its head, it may take `grace` plus one second per
/// ``minimumBytesPerSecond`` bytes received to arrive whole. A request read whole has no
/// deadline, however long its answer takes.
final class SlowRequestHandler: HTTPPartHandler {

    /// The slowest body accepted after the grace period: 1 KiB a second (a 64 MB body may
    /// take 18 hours; a client dripping a byte a second is cut off after the grace period).
    static let minimumBytesPerSecond = 1024

    private let grace: TimeAmount
    /// When the request being read started, and the bytes of its body read so far (nil: no
    /// request is being read).
    private var reading: (started: NIODeadline, received: Int)?
    private var check: Scheduled<Void>?
    /// Requests whose head was read and whose answer has not ended.
    private var inFlight = 0
    /// An answer's head was written and its end not yet.
    private var answering = false
    private var timedOut = false

    init(grace: TimeAmount) {
        self.grace = grace
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !timedOut else { return }
        switch unwrapInboundIn(data) {
        case .head:
            inFlight += 1
            reading = (.now(), 0)
            schedule(context: context)
        case .body(let buffer):
            reading?.received += buffer.readableBytes
        case .end:
            reading = nil
            check?.cancel()
            check = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch (timedOut, unwrapOutboundIn(data)) {
        case (true, _):
            // After a timeout, the application's own answer (to a body that ended in an
            // error) would follow the 408 on a closing connection: it is dropped.
            return promise?.fail(ChannelError.ioOnClosedChannel) ?? ()
        case (false, .head(let head)) where head.status.kind != .informational: answering = true
        case (false, .end):
            inFlight = max(0, inFlight - 1)
            answering = false
        case (false, _): break
        }
        context.write(data, promise: promise)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        check?.cancel()
    }

    func channelInactive(context: ChannelHandlerContext) {
        check?.cancel()
        context.fireChannelInactive()
    }

    /// The time by which the request being read must have ended.
    private var deadline: NIODeadline? {
        reading.map { $0.started + grace + .seconds(Int64($0.received / Self.minimumBytesPerSecond)) }
    }

    private func schedule(context: ChannelHandlerContext) {
        check?.cancel()
        guard let deadline else { return }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        check = context.eventLoop.scheduleTask(deadline: deadline) {
            let (handler, context) = bound.value
            handler.deadlineReached(context: context)
        }
    }

    private func deadlineReached(context: ChannelHandlerContext) {
        check = nil
        guard let deadline, !timedOut else { return }
        // Bytes that came meanwhile moved the deadline.
        if deadline > .now() { return schedule(context: context) }
        timedOut = true
        reading = nil
        // The application's read of the body fails (a body cut short must never be taken for
        // a whole one); its answer, a problem, is dropped for the 408.
        context.fireErrorCaught(HTTPParserError.invalidEOFState)
        // A 408 only when it is the answer to this request and none has begun: with earlier
        // requests' answers still to come (pipelining), it would be taken for one of theirs.
        guard inFlight == 1, !answering else {
            context.close(promise: nil)
            return
        }
        let rate = Self.minimumBytesPerSecond
        Problem(
            .requestTimeout, "request-timeout", "Request timeout",
            detail: "the request's body came too slowly (after the first \(grace.nanoseconds / 1_000_000_000) seconds, at least \(rate) bytes a second); send it again faster"
        ).writeAndClose(context: context)
    }
}
