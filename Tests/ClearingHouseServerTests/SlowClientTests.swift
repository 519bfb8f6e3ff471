// Clients that send slowly, or connect by the thousand, on a live port through raw sockets: a
// body dripped a byte at a time is answered 408 once the grace period is over (it reset the
// idle timeout with every byte, and held its connection for ever); a body sent at a fair rate
// is read whole; connections beyond the limit are closed when accepted.
@testable import ClearingHouseServer
import Foundation
import Hummingbird
import NIOCore
import HummingbirdTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Runs blocking `work` on a thread of its own, off Swift concurrency's pool (a test blocked
/// in `recv` on a pool thread starves the servers under test: the machine has two).
private func offThePool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread.detachNewThread { continuation.resume(returning: work()) }
    }
}

/// A blocking TCP connection to 127.0.0.1 (reads time out after `timeout` seconds). Its
/// reads are made off Swift concurrency's pool (``receiveAll()``, ``receiveFirst()``).
private final class RawConnection: @unchecked Sendable {
    private let socket: Int32

    init(port: Int, timeout: Int = 10) throws {
        #if canImport(Glibc)
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        socket = Darwin.socket(AF_INET, SOCK_STREAM, 0)
        #endif
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    }

    deinit { close(socket) }

    /// Sends `text`; false when the server has closed the connection.
    @discardableResult
    func send(_ text: String) -> Bool {
        Array(text.utf8).withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == text.utf8.count
    }

    /// The first bytes the server sends: "" when it closes (or resets) the connection, nil
    /// when `timeout` passes first.
    func receiveFirst() async -> String? {
        await offThePool { self.blockingReceiveFirst() }
    }

    /// What the server sent until it closed the connection or `timeout` passed.
    func receiveAll() async -> String {
        await offThePool { self.blockingReceiveAll() }
    }

    private func blockingReceiveFirst() -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        // (A connection closed with the request unread is reset rather than ended: closed too.)
        if count < 0 { return errno == ECONNRESET ? "" : nil }
        return String(decoding: buffer[..<count], as: UTF8.self)
    }

    private func blockingReceiveAll() -> String {
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            answer += buffer[..<count]
        }
        return String(decoding: answer, as: UTF8.self)
    }
}

/// Runs `body` with the port of a live server on the seed records (default configuration).
private func withLiveServer(_ body: @escaping @Sendable (Int) async throws -> Void) async throws {
    let fixture = try Fixture(records: seedRecords)
    defer { fixture.remove() }
    let server = ClearingHouseServer(house: fixture.house, configuration: ServerConfiguration(port: 0, logRequests: false))
    try await server.makeApplication().test(.live) { client in try await body(try #require(client.port)) }
}

@Suite struct SlowClientTests {
    @Test func aBodyDrippedAByteAtATimeIsAnswered408() async throws {
        let fixture = try Fixture(records: seedRecords)
        defer { fixture.remove() }
        let server = ClearingHouseServer(
            house: fixture.house, configuration: ServerConfiguration(port: 0, logRequests: false, idleTimeout: .seconds(3)))
        try await server.makeApplication().test(.live) { client in
            let port = try #require(client.port)
            let slow = try RawConnection(port: port)
            slow.send("POST /v1/search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
            // A byte every 0.2 s: the idle timeout (3 s, so that a loaded machine's late
            // wake-ups never reach it: CI once slept past 1 s) never passes, the deadline does.
            let started = ContinuousClock.now
            while ContinuousClock.now - started < .seconds(8), slow.send(" ") {
                try await Task.sleep(for: .milliseconds(200))
            }
            let answer = await slow.receiveAll()
            #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer)")
            #expect(answer.contains("application/problem+json"), "\(answer)")
            #expect(answer.contains("too slowly"), "\(answer)")
            // Others are answered. (On connections of their own: the test client's connection,
            // idle for longer than the idle timeout, is closed.)
            let other = try RawConnection(port: port)
            other.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(await other.receiveAll().hasPrefix("HTTP/1.1 200"))
            // A body sent whole, if late in its grace period, is read and answered.
            let fair = try RawConnection(port: port)
            fair.send("POST /v1/search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 13\r\nConnection: close\r\n\r\n")
            try await Task.sleep(for: .milliseconds(500))
            fair.send(#"{"q": "reef"}"#)
            let fairAnswer = await fair.receiveAll()
            #expect(fairAnswer.hasPrefix("HTTP/1.1 200"), "\(fairAnswer)")
        }
    }

    @Test func connectionsBeyondTheLimitAreClosedWhenAccepted() async throws {
        let fixture = try Fixture(records: seedRecords)
        defer { fixture.remove() }
        let server = ClearingHouseServer(
            house: fixture.house, configuration: ServerConfiguration(port: 0, logRequests: false, maxConnections: 3))
        try await server.makeApplication().test(.live) { client in
            let port = try #require(client.port)
            // (The test client may hold a connection of its own: the fourth at most is refused.)
            var open: [RawConnection] = []
            var refused: RawConnection?
            for _ in 0..<4 {
                let connection = try RawConnection(port: port, timeout: 30)
                connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                let answer = try #require(await connection.receiveFirst(), "no answer and no close")
                if answer.isEmpty {
                    refused = connection
                    break
                }
                #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer)")
                open.append(connection)
            }
            #expect(refused != nil, "four connections were kept open under a limit of 3")
            #expect(open.count >= 2)
            // One closes: a new connection is served.
            open.removeFirst()
            try await Task.sleep(for: .milliseconds(300))
            let next = try RawConnection(port: port, timeout: 2)
            next.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(await next.receiveAll().hasPrefix("HTTP/1.1 200"))
        }
    }

    /// `Expect: 100-continue` (curl sends it with every body over 1 MB, and waits a second for
    /// the answer before sending the body anyway) is answered at once, unless the body it
    /// announces is over the limit (then the 413 comes instead).
    @Test func aClientThatExpects100ContinueIsToldToGoOn() async throws {
        let fixture = try Fixture(records: seedRecords)
        defer { fixture.remove() }
        let server = ClearingHouseServer(
            house: fixture.house, configuration: ServerConfiguration(port: 0, maxBodyBytes: 1 << 20, logRequests: false))
        try await server.makeApplication().test(.live) { client in
            let port = try #require(client.port)
            let waiting = try RawConnection(port: port, timeout: 10)
            waiting.send("POST /v1/search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 13\r\n\r\n")
            let interim = try #require(await waiting.receiveFirst())
            #expect(interim.hasPrefix("HTTP/1.1 100"), "\(interim)")
            waiting.send(#"{"q": "reef"}"#)
            let answer = try #require(await waiting.receiveFirst())
            #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer)")
            let tooLarge = try RawConnection(port: port, timeout: 10)
            tooLarge.send("POST /v1/search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 2000000\r\n\r\n")
            let refused = await tooLarge.receiveAll()
            #expect(refused.hasPrefix("HTTP/1.1 413"), "\(refused)")
            #expect(!refused.contains("100 Continue"), "\(refused)")
        }
    }

    /// An HTTP/1.0 request without `Connection: keep-alive` gets its answer and then the close
    /// (RFC 9112 §9.3): the connection stayed open until the idle timeout, and a client that
    /// reads to the end of the answer waited that long. With keep-alive it stays open.
    @Test func anHTTP10ConnectionClosesAfterItsAnswerUnlessKeptAlive() async throws {
        try await withLiveServer { port in
            let plain = try RawConnection(port: port, timeout: 5)
            let started = ContinuousClock.now
            plain.send("GET /healthz HTTP/1.0\r\n\r\n")
            let answer = await plain.receiveAll()
            #expect(answer.hasPrefix("HTTP/1.0 200"), "\(answer)")
            #expect(ContinuousClock.now - started < .seconds(4), "the connection was not closed after the answer")
            let kept = try RawConnection(port: port, timeout: 5)
            kept.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            let first = await kept.receiveFirst() ?? ""
            #expect(first.hasPrefix("HTTP/1.0 200") && first.lowercased().contains("connection: keep-alive"), "\(first)")
            kept.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(await kept.receiveAll().hasPrefix("HTTP/1.1 200"))
            // A streamed body (an export) is not chunked for HTTP/1.0, which has no chunks: the
            // close ends it, even on a connection asked to be kept.
            let export = try RawConnection(port: port, timeout: 5)
            export.send("GET /export?format=jsonl HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            let exported = await export.receiveAll()
            let (head, body) = (exported.components(separatedBy: "\r\n\r\n").first ?? "", exported.components(separatedBy: "\r\n\r\n").dropFirst().joined())
            #expect(head.hasPrefix("HTTP/1.0 200") && !head.lowercased().contains("transfer-encoding"), "\(head)")
            #expect(head.lowercased().contains("connection: close"), "\(head)")
            #expect(body.split(separator: "\n").allSatisfy { $0.hasPrefix("{") } && !body.isEmpty, "\(body.prefix(300))")
            // `Connection: Close` in another case closes an HTTP/1.1 connection too.
            let capital = try RawConnection(port: port, timeout: 5)
            let sent = ContinuousClock.now
            capital.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: Close\r\n\r\n")
            #expect(await capital.receiveAll().hasPrefix("HTTP/1.1 200"))
            #expect(ContinuousClock.now - sent < .seconds(4))
        }
    }

    /// Hostile-client QA: a 401 (or 404, 405, 415) answered before the body of its post had
    /// arrived closed the connection without `Connection: close`, and keep-alive clients sent
    /// their next request on it. Such an answer says so and closes; a post read whole keeps
    /// the connection.
    @Test func anAnswerBeforeTheBodyHasArrivedSaysItCloses() async throws {
        try await withLiveServer { port in
            let early = try RawConnection(port: port, timeout: 5)
            early.send(
                "POST /v1/records HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer wrong\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n")
            let answer = await early.receiveAll()
            #expect(answer.hasPrefix("HTTP/1.1 40"), "\(answer)")
            #expect(answer.lowercased().contains("connection: close"), "\(answer)")
            // The same post sent whole is answered on a connection that stays open.
            let whole = try RawConnection(port: port, timeout: 5)
            whole.send(
                "POST /v1/records HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer wrong\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
            )
            let first = await whole.receiveFirst() ?? ""
            #expect(first.hasPrefix("HTTP/1.1 40") && !first.lowercased().contains("connection: close"), "\(first)")
            whole.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(await whole.receiveAll().contains("HTTP/1.1 200"))
        }
    }

    /// A client that resets the connection in the middle of its body is no server fault (it
    /// was logged as a 500).
    @Test func aClientHangingUpIsNoServerFault() {
        for code in [ECONNRESET, EPIPE] {
            let (problem, fault) = Problem.from(IOError(errnoCode: code, reason: "read(descriptor:pointer:size:)"))
            #expect(problem.status == .badRequest && !fault)
        }
        #expect(Problem.from(IOError(errnoCode: EIO, reason: "read")).fault)
    }

    /// An HTTP/1.1 request without a Host, or any request with two, is a 400 problem and the
    /// connection closes (RFC 9112 §3.2; they were answered 200); HTTP/1.0 needs no Host.
    @Test func aRequestWithoutExactlyOneHostIs400() async throws {
        try await withLiveServer { port in
            for request in ["GET /healthz HTTP/1.1\r\n\r\n", "GET /v1/search?q=reef HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"] {
                let connection = try RawConnection(port: port, timeout: 5)
                connection.send(request)
                let answer = await connection.receiveAll()
                #expect(answer.hasPrefix("HTTP/1.1 400"), "\(answer)")
                #expect(answer.lowercased().contains("content-type: application/problem+json"), "\(answer)")
                #expect(answer.contains("Host"), "\(answer)")
            }
            // Behind a good request on one connection: its answer, then the 400, then the close.
            let pipelined = try RawConnection(port: port, timeout: 5)
            // (Then bytes that are not HTTP: after the refusal they are not read, nor answered.)
            pipelined.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\nFOO\r\nbar\r\n\r\n")
            let answers = await pipelined.receiveAll()
            // (Status lines: "HTTP/1.1 " and three digits; the 400's detail names HTTP/1.1 too.)
            let statuses = answers.components(separatedBy: "HTTP/1.1 ").dropFirst().map { $0.prefix(3) }.filter { $0.allSatisfy(\.isNumber) }
            #expect(statuses == ["200", "400"], "\(answers)")
            let old = try RawConnection(port: port, timeout: 5)
            old.send("GET /healthz HTTP/1.0\r\n\r\n")
            #expect(await old.receiveAll().hasPrefix("HTTP/1.0 200"))
        }
    }
}
