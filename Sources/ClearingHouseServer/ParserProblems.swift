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
final class ParserProblemHandler: HTTPPartHandler {

    /// Requests whose head was read and whose answer has not ended.
    private var inFlight = 0
    private var answered = false
    /// A CONNECT was read: it is answered once the requests before it are, and nothing
    /// after it is read.
    private var refusingConnect = false
    /// A request's head was read and its end not yet.
    private var readingRequest = false
    /// A parser error came inside a request in flight (its body broke HTTP): once its
    /// answer ends the connection closes, and Hummingbird's own bare 400 for the error (after
    /// the answer the application gave) is not sent.
    private var closingAfterAnswer = false
    /// A parser error came after the requests in flight (pipelined behind them): answered
    /// with a problem once their answers end.
    private var pendingError: HTTPParserError?
    /// The largest body the server reads (`--max-body-mb`): a request that announces a larger
    /// one is not told to go on.
    private let maxBodyBytes: Int

    init(maxBodyBytes: Int) {
        self.maxBodyBytes = maxBodyBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered, !refusingConnect, pendingError == nil else { return }
        if case .end = unwrapInboundIn(data) { readingRequest = false }
        if case .head(let head) = unwrapInboundIn(data) {
            // CONNECT asks for a tunnel, which this server never opens; the parser then reads
            // what follows as the tunnel's bytes, not as requests, so it is answered here
            // (after the answers to requests before it) and the connection closed: the close
            // frames the answer, whose body NIO's encoder leaves out after a CONNECT.
            if head.method == .connect {
                refusingConnect = true
                if inFlight == 0 { refuseConnect(context: context) }
                return
            }
            inFlight += 1
            readingRequest = true
            if inFlight == 1, Self.expectsContinue(head, maxBodyBytes: maxBodyBytes) {
                // `Expect: 100-continue` (curl sends it with every body over 1 MB): the client
                // waits for this before it sends the body, and without it waited a second.
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
            }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard !answered else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        if case .head(let head) = unwrapOutboundIn(data), head.headerFields[.connection]?.lowercased() == "close" {
            // An answer that says the connection closes (a body too large, or of unknown
            // length, is not read to its end): Hummingbird only closes when the request said
            // so, and would read the rest of the body first.
            closingAfterAnswer = true
        }
        guard case .end = unwrapOutboundIn(data) else { return context.write(data, promise: promise) }
        inFlight = max(0, inFlight - 1)
        // An answer given before its request's body was read (401 for a write without a key,
        // 404, 413) closes the connection too: the rest of the body, as long as the client
        // claims, would be read only to be thrown away.
        if closingAfterAnswer || readingRequest, inFlight == 0 || !readingRequest {
            answered = true
            context.writeAndFlushThenClose(data, promise: promise)
            return
        }
        context.write(data, promise: promise)
        if inFlight == 0, refusingConnect, !answered { refuseConnect(context: context) }
        if inFlight == 0, let pendingError, !answered { answer(context: context, pendingError) }
    }

    /// 405 with `Allow` and no body: NIO's encoder leaves out the body of any answer to a
    /// CONNECT, so the answer claims none (a problem document's type with an empty body would
    /// be a broken one).
    private func refuseConnect(context: ChannelHandlerContext) {
        answered = true
        let fields: HTTPFields = [.connection: "close", .allow: "GET, HEAD, POST, DELETE, OPTIONS"]
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .methodNotAllowed, headerFields: fields))), promise: nil)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError, !answered else {
            context.fireErrorCaught(error)
            return
        }
        if readingRequest {
            // Inside the request being read (its body broke HTTP, or ended with the
            // connection): the application gets it, so that its read of the body fails (a
            // body cut short is never taken for a whole one), and its answer is a problem.
            // If it answered already (before reading the body), there is no second answer.
            context.fireErrorCaught(error)
            if inFlight > 0 {
                closingAfterAnswer = true
            } else {
                answered = true
                context.close(promise: nil)
            }
        } else if inFlight == 0 {
            answer(context: context, parserError)
        } else {
            // Behind requests still being answered: answered after them.
            pendingError = parserError
        }
    }

    /// Whether `head` waits for `100 Continue` before sending a body the server will read (one
    /// it announces within `maxBodyBytes`, or of a length it does not say).
    static func expectsContinue(_ head: HTTPRequest, maxBodyBytes: Int) -> Bool {
        guard head.headerFields[.expect]?.trimmingCharacters(in: .whitespaces).lowercased() == "100-continue" else { return false }
        guard let length = head.headerFields[.contentLength] else { return true }
        return Int(length).map { $0 <= maxBodyBytes } ?? false
    }

    /// Answers a parser error with a problem document, then closes the connection.
    private func answer(context: ChannelHandlerContext, _ error: HTTPParserError) {
        let (status, detail) = Self.explain(error)
        answer(context: context, status: status, type: "malformed-request", title: "Malformed request", detail: detail)
    }

    /// Writes a problem document with `Connection: close`, then closes the connection.
    private func answer(
        context: ChannelHandlerContext, status: HTTPResponse.Status, type: String, title: String, detail: String
    ) {
        answered = true
        Problem(status, type, title, detail: detail).writeAndClose(context: context)
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

/// A handler of the server's connections between the HTTP codec and the application: it sees
/// the request parts going in and the answer parts going out.
protocol HTTPPartHandler: ChannelDuplexHandler, RemovableChannelHandler
where InboundIn == HTTPRequestPart, InboundOut == HTTPRequestPart, OutboundIn == HTTPResponsePart, OutboundOut == HTTPResponsePart {}

extension ChannelHandlerContext {
    /// Writes and flushes `data` (an answer's end), completes `promise` with the write, then
    /// closes the connection.
    func writeAndFlushThenClose(_ data: NIOAny, promise: EventLoopPromise<Void>?) {
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        writeAndFlush(data).whenComplete { result in
            promise?.completeWith(result)
            bound.value.close(promise: nil)
        }
    }
}

extension Problem {
    /// Writes this problem as a whole answer with `Connection: close` from a channel handler
    /// (below the application: for what a connection's handlers answer themselves), then
    /// closes the connection.
    func writeAndClose(context: ChannelHandlerContext) {
        let body = self.body
        let fields: HTTPFields = [
            .contentType: "application/problem+json", .connection: "close", .contentLength: String(body.readableBytes),
        ]
        context.write(NIOAny(HTTPResponsePart.head(HTTPResponse(status: status, headerFields: fields))), promise: nil)
        context.write(NIOAny(HTTPResponsePart.body(body)), promise: nil)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(NIOAny(HTTPResponsePart.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
    }
}
