// Two rules of HTTP/1 that the version-independent HTTP types Hummingbird's application sees
// cannot follow, since they have no version, decided on NIO's HTTP/1 parts before the codec
// that converts them (RFC 9112):
// - an HTTP/1.0 connection persists only when the client asks for it (`Connection:
//   keep-alive`, §9.3): a client that reads an answer to its end waited for the close; and
//   it is answered in HTTP/1.0, without chunks (§7.1: a streamed body ends with the close);
// - an HTTP/1.1 request has exactly one `Host` (§3.2): one with none, or several, is a 400.
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1

/// Added among the application's channel handlers: puts an ``HTTP1Rules`` in front of the
/// HTTP/1 codec when the pipeline is built, and otherwise passes everything on.
final class HTTP1RulesInstaller: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    typealias InboundOut = NIOAny

    func handlerAdded(context: ChannelHandlerContext) {
        let pipeline = context.pipeline.syncOperations
        guard let codec = try? pipeline.handler(type: HTTP1ToHTTPServerCodec.self) else { return }
        try? pipeline.addHandler(HTTP1Rules(), position: .before(codec))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }
}

/// Answers each HTTP/1.0 request as HTTP/1.0 (a body without a length is not chunked, which
/// HTTP/1.0 does not have, but ended by the close), closes after the answer unless the
/// request asked to keep its connection (a request that does not gets `Connection: close`,
/// which the server honours, whatever the version and the case it was written in), and
/// answers a request without exactly one `Host` (HTTP/1.1; several, HTTP/1.0) with a 400
/// problem, after the answers to the requests before it, then closes the connection. An
/// answer that starts before its request's body has all arrived (a 401 or 404 to a post)
/// says `Connection: close` and closes, as the server did without saying so (hostile-client
/// QA: keep-alive clients sent their next request on a connection about to close).
final class HTTP1Rules: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// The requests passed on whose answers have not ended: whether each is HTTP/1.0, asked
    /// to keep its connection and has been read to its end (first: the one being answered).
    private var inFlight: [(isHTTP10: Bool, keepsAlive: Bool, ended: Bool)] = []
    /// The answer being written ends with the close (an HTTP/1.0 body without a length).
    private var closesAfterAnswer = false
    /// The answer to a refused request, written once the answers before it end; nothing more
    /// is read from the connection once there is one.
    private var refusal: Problem?
    /// The connection is closing (after a refusal, or an answer ended by the close): nothing
    /// more is written.
    private var closing = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard refusal == nil else { return }
        guard case .head(var head) = unwrapInboundIn(data) else {
            if case .end = unwrapInboundIn(data), !inFlight.isEmpty { inFlight[inFlight.count - 1].ended = true }
            return context.fireChannelRead(data)
        }
        let hosts = head.headers["Host"].count
        if hosts > 1 || (hosts == 0 && head.version == .http1_1) {
            refusal = Problem(
                .badRequest, "malformed-request", "Malformed request",
                detail: hosts == 0
                    ? "a request of HTTP/1.1 names its host in one Host header (Host: example.org)"
                    : "the request has \(hosts) Host headers; send one")
            if inFlight.isEmpty { refuse(context: context) }
            return
        }
        let isHTTP10 = head.version.major == 1 && head.version.minor == 0
        inFlight.append((isHTTP10, head.isKeepAlive, false))
        if !head.isKeepAlive {
            head.headers.replaceOrAdd(name: "Connection", value: "close")
            return context.fireChannelRead(wrapInboundOut(.head(head)))
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard !closing else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        switch unwrapOutboundIn(data) {
        case .head(var head) where head.status.code >= 200 && (inFlight.first?.isHTTP10 == true || inFlight.first?.ended == false):
            let request = inFlight.first
            if request?.isHTTP10 == true {
                head.version = .http1_0
                if head.headers["Content-Length"].isEmpty, head.status != .noContent, head.status != .notModified {
                    // (Ended by the close: NIO's encoder leaves the framing to the caller.)
                    head.headers.remove(name: "Transfer-Encoding")
                    closesAfterAnswer = true
                }
            }
            // (An answer before its request's body has all arrived ends the connection.)
            if request?.ended == false { closesAfterAnswer = true }
            if closesAfterAnswer {
                head.headers.replaceOrAdd(name: "Connection", value: "close")
            } else if request?.keepsAlive == true {
                head.headers.replaceOrAdd(name: "Connection", value: "keep-alive")
            }
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .end:
            if !inFlight.isEmpty { inFlight.removeFirst() }
            if closesAfterAnswer {
                closesAfterAnswer = false
                closing = true  // (nothing more is written: the close ends this answer)
                context.writeAndFlushThenClose(data, promise: promise)
                return
            }
            context.write(data, promise: promise)
            if inFlight.isEmpty, refusal != nil { refuse(context: context) }
        default:
            context.write(data, promise: promise)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Bytes after a refused request are not read: their parse errors are not answered too.
        if refusal != nil, error is HTTPParserError { return }
        context.fireErrorCaught(error)
    }

    /// Writes the refusal as the whole answer with `Connection: close` (once), then closes.
    private func refuse(context: ChannelHandlerContext) {
        guard let problem = refusal, !closing else { return }
        closing = true
        let body = problem.body
        let headers = HTTPHeaders([
            ("Content-Type", "application/problem+json"), ("Connection", "close"), ("Content-Length", String(body.readableBytes)),
        ])
        let status = HTTPResponseStatus(statusCode: problem.status.code)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
    }
}
