// A request that is not HTTP at all (a garbage request line, an unknown method, a header
// without a colon, a head over the decoder's limits) is refused by NIO's parser before any
// route sees it, and Hummingbird answers that with a bare 400. This handler, between the
// HTTP codec and the application, answers it with a problem document like every other error.
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Turns an HTTP parser error between requests into a problem document (400, or 431 for a
/// head too large), then closes the connection. An error in the middle of a request (a bad
/// chunk in its body) goes on to the application, whose request body then fails and whose
/// answer is a problem already.
final class ParserProblemHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// Requests whose head was read and whose answer has not ended.
    private var inFlight = 0
    private var answered = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { inFlight += 1 }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { inFlight = max(0, inFlight - 1) }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError, inFlight == 0, !answered else {
            context.fireErrorCaught(error)
            return
        }
        answered = true
        let (status, detail) = Self.explain(parserError)
        let problem = Problem(status, "malformed-request", "Malformed request", detail: detail)
        let body = ByteBuffer(string: problem.jsonValue.description + "\n")
        var fields: HTTPFields = [.contentType: "application/problem+json", .connection: "close"]
        fields[.contentLength] = String(body.readableBytes)
        context.write(wrapOutboundOut(.head(HTTPResponse(status: status, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
    }

    /// The status and the words for `error`.
    static func explain(_ error: HTTPParserError) -> (HTTPResponse.Status, String) {
        switch error {
        case .headerOverflow:
            return (.requestHeaderFieldsTooLarge, "the request's line and headers are larger than the server reads; send less in the URL and headers")
        case .invalidMethod:
            return (.badRequest, "the request line does not start with an HTTP method (GET, POST, DELETE, ...)")
        case .invalidVersion:
            return (.badRequest, "the request line does not end with a version the server speaks (HTTP/1.1 or HTTP/1.0)")
        case .invalidURL, .invalidPath, .invalidQueryString, .invalidFragment, .invalidHost, .invalidPort:
            return (.badRequest, "the request's target is not a valid URL (spaces and bytes above 127 must be percent-encoded)")
        case .invalidHeaderToken, .invalidCharactersUsed:
            return (.badRequest, "a header's name or value has characters HTTP does not allow (each header is NAME: VALUE on a line of its own)")
        case .invalidContentLength, .unexpectedContentLength:
            return (.badRequest, "the Content-Length header is not one whole number, or comes with Transfer-Encoding")
        case .lfExpected, .invalidConstant:
            return (.badRequest, "the request line or a header line is not well-formed (a space in the URL is written %20; each line ends with CR LF)")
        default:
            return (.badRequest, "the request is not valid HTTP/1.1 (\(error))")
        }
    }
}
