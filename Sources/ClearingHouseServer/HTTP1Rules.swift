// Two rules of HTTP/1 that the version-independent HTTP types Hummingbird's application sees
// cannot follow, since they have no version, decided on NIO's HTTP/1 parts before the codec
// that converts them (RFC 9112):
// - an HTTP/1.0 connection persists only when the client asks for it (`Connection:
//   keep-alive`, §9.3): a client that reads an answer to its end waited for the close;
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

/// Gives an HTTP/1.0 request that does not ask to keep its connection `Connection: close`
/// (which the server honours, closing after the answer, as for an HTTP/1.1 request), and
/// answers a request without exactly one `Host` (HTTP/1.1; several, HTTP/1.0) with a 400
/// problem, after the answers to the requests before it, then closes the connection.
final class HTTP1Rules: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// Requests passed on whose answers have not ended.
    private var inFlight = 0
    /// The answer to a refused request, written once the answers before it end; nothing more
    /// is read from the connection.
    private var refusal: Problem?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard refusal == nil else { return }
        guard case .head(var head) = unwrapInboundIn(data) else { return context.fireChannelRead(data) }
        let hosts = head.headers["Host"].count
        if hosts > 1 || (hosts == 0 && head.version == .http1_1) {
            refusal = Problem(
                .badRequest, "malformed-request", "Malformed request",
                detail: hosts == 0
                    ? "a request of HTTP/1.1 names its host in one Host header (Host: example.org)"
                    : "the request has \(hosts) Host headers; send one")
            if inFlight == 0 { refuse(context: context) }
            return
        }
        inFlight += 1
        if head.version == .http1_0, !head.isKeepAlive {
            head.headers.replaceOrAdd(name: "Connection", value: "close")
            return context.fireChannelRead(wrapInboundOut(.head(head)))
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .end = unwrapOutboundIn(data) else { return context.write(data, promise: promise) }
        context.write(data, promise: promise)
        inFlight = max(0, inFlight - 1)
        if inFlight == 0, refusal != nil { refuse(context: context) }
    }

    /// Writes the refusal as the whole answer with `Connection: close`, then closes.
    private func refuse(context: ChannelHandlerContext) {
        guard let problem = refusal else { return }
        let body = ByteBuffer(string: problem.jsonValue.description + "\n")
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
