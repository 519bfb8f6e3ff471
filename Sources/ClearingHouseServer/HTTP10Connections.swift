// An HTTP/1.0 connection persists only when the client asks for it (`Connection: keep-alive`,
// RFC 9112 §9.3); a client that reads an answer to its end waits for the close otherwise.
// The version-independent HTTP types that Hummingbird's application sees have no version, so
// this is decided on NIO's HTTP/1 parts, before the codec that converts them.
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1

/// Added among the application's channel handlers: puts an ``HTTP10Close`` in front of the
/// HTTP/1 codec when the pipeline is built, and otherwise passes everything on.
final class HTTP10Connections: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    typealias InboundOut = NIOAny

    func handlerAdded(context: ChannelHandlerContext) {
        let pipeline = context.pipeline.syncOperations
        guard let codec = try? pipeline.handler(type: HTTP1ToHTTPServerCodec.self) else { return }
        try? pipeline.addHandler(HTTP10Close(), position: .before(codec))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }
}

/// Gives an HTTP/1.0 request that does not ask to keep its connection `Connection: close`,
/// which the server honours (it closes after the answer), as an HTTP/1.1 request's.
final class HTTP10Close: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(var head) = unwrapInboundIn(data), head.version.major == 1, head.version.minor == 0, !head.isKeepAlive {
            head.headers.replaceOrAdd(name: "Connection", value: "close")
            context.fireChannelRead(wrapInboundOut(.head(head)))
            return
        }
        context.fireChannelRead(data)
    }
}
