// `chm serve` as a process: it prints its address, takes records with a key, serves searches,
// refuses writes without a key, and stops gracefully on SIGTERM with exit status 0.
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("chm serve")
struct ServeTests {
    /// A running `chm serve` process and the address it printed.
    final class Server: @unchecked Sendable {
        let process = Process()
        let output: URL
        let errors: URL
        private(set) var address = ""

        init(_ arguments: [String], in directory: TemporaryDirectory) throws {
            output = directory.url.appendingPathComponent("serve.out")
            errors = directory.url.appendingPathComponent("serve.err")
            _ = FileManager.default.createFile(atPath: output.path, contents: nil)
            _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
            process.executableURL = CLI.executable
            process.arguments = ["serve"] + arguments
            var environment = ProcessInfo.processInfo.environment
            environment.removeValue(forKey: "CHM_INDEX")
            process.environment = environment
            process.standardOutput = try FileHandle(forWritingTo: output)
            process.standardError = try FileHandle(forWritingTo: errors)
            process.standardInput = FileHandle.nullDevice
            try process.run()
            // Wait for "listening on http://127.0.0.1:PORT".
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline {
                let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
                if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") }) {
                    address = String(line.dropFirst("listening on ".count))
                    return
                }
                if !process.isRunning { break }
                usleep(20_000)
            }
            stop(signal: SIGKILL)
            throw ServeError.notListening((try? String(contentsOf: errors, encoding: .utf8)) ?? "")
        }

        /// Sends `signal` and waits (at most a minute) for the process to end.
        func stop(signal: Int32 = SIGTERM) {
            guard process.isRunning else { return }
            kill(process.processIdentifier, signal)
            let deadline = Date().addingTimeInterval(60)
            while process.isRunning, Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }

        var standardError: String { (try? String(contentsOf: errors, encoding: .utf8)) ?? "" }
    }

    enum ServeError: Error { case notListening(String) }

    /// Sends a request; returns the status and the body as text.
    static func send(
        _ client: HTTPClient, _ url: String, method: HTTPMethod = .GET, body: String? = nil, contentType: String? = nil, key: String? = nil
    ) async throws -> (status: Int, text: String) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        let response = try await client.execute(request, timeout: .seconds(60))
        let buffer = try await response.body.collect(upTo: 16 << 20)
        return (Int(response.status.code), String(buffer: buffer))
    }

    @Test func servesWritesWithAKeyAndStopsOnSIGTERM() async throws {
        let directory = try TemporaryDirectory()
        let keyFile = try directory.write("keys", "\n  first-key  \n\nsecond-key\n")
        let server = try Server(["--index", directory.path("index"), "--port", "0", "--api-key-file", keyFile], in: directory)
        defer { server.stop(signal: SIGKILL) }
        #expect(server.address.hasPrefix("http://127.0.0.1:"))
        #expect(Int(server.address.split(separator: ":").last ?? "") ?? 0 > 0)

        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let base = server.address
            #expect(try await Self.send(client, base + "/healthz").status == 200)
            let records = [
                #"{"id":"live-1","kind":"technology","title":{"en":"Solar water pumps"}}"#,
                #"{"id":"live-2","kind":"technology","title":{"en":"Solar dryers for fruit"}}"#,
                #"{"id":"live-3","kind":"bestPractice","title":{"en":"Wind breaks"}}"#,
            ].joined(separator: "\n")
            let refused = try await Self.send(client, base + "/v1/records", method: .POST, body: records, contentType: "application/x-ndjson")
            #expect(refused.status == 401)
            let posted = try await Self.send(
                client, base + "/v1/records", method: .POST, body: records, contentType: "application/x-ndjson", key: "second-key")
            #expect(posted.status == 200, "\(posted.text)")
            #expect(try CLI.json(posted.text)["added"] as? Int == 3)

            let found = try await Self.send(client, base + "/v1/search?q=solar&count=true")
            #expect(found.status == 200)
            let hits = (try CLI.json(found.text)["hits"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(Set(hits) == ["live-1", "live-2"])

            let deleted = try await Self.send(client, base + "/v1/records/live-2", method: .DELETE, key: "first-key")
            #expect(deleted.status == 200, "\(deleted.text)")
            let wrongKey = try await Self.send(client, base + "/v1/records/live-1", method: .DELETE, key: "third-key")
            #expect(wrongKey.status == 401)
            let after = try await Self.send(client, base + "/v1/search?q=solar")
            let left = (try CLI.json(after.text)["hits"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(left == ["live-1"])
            #expect(try await Self.send(client, base + "/v1/records/live-2").status == 404)
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()

        server.stop(signal: SIGTERM)
        #expect(server.process.terminationReason == .exit)
        #expect(server.process.terminationStatus == 0, "\(server.standardError)")
        // One log line per request (without --quiet).
        #expect(server.standardError.contains("GET /v1/search?q=solar"))
        #expect(server.standardError.contains("DELETE /v1/records/live-2 200"))
    }

    @Test func oaiOptionsThatIdentifyCannotCarryAreRefusedInOneLine() throws {
        let directory = try TemporaryDirectory()
        let index = directory.path("index")
        for (option, value, message) in [
            ("--oai-admin-email", "not an email", #"chm: error: --oai-admin-email: "not an email" is not an email address"#),
            ("--oai-admin-email", "admin@localhost", #"chm: error: --oai-admin-email: "admin@localhost" is not an email address"#),
            ("--oai-base-url", "not a url <x>", #"chm: error: --oai-base-url: "not a url <x>" is not an absolute http or https URL"#),
            ("--oai-base-url", "ftp://chm.example.org/oai", #"chm: error: --oai-base-url: "ftp://chm.example.org/oai" is not"#),
            ("--oai-base-url", "/oai", #"chm: error: --oai-base-url: "/oai" is not"#),
        ] {
            let result = try CLI.run(["serve", "--index", index, "--port", "0", option, value], timeout: 20)
            #expect(result.status == 64, "\(option) \(value): \(result.stderr)")
            #expect(result.stderrLines.count == 1 && result.stderr.hasPrefix(message), "\(option) \(value): \(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: index), "nothing is made for a refused configuration")
    }

    @Test func aHostHeaderThatIsNoAuthorityGivesTheListeningAddressAsBaseURL() throws {
        let directory = try TemporaryDirectory()
        let server = try Server(["--index", directory.path("index"), "--port", "0", "--quiet"], in: directory)
        defer { server.stop(signal: SIGKILL) }
        // (Maintainer QA: a mistyped --index was served empty without a word.)
        #expect(server.standardError.contains("no catalog in \(directory.path("index")): serving a new, empty clearing-house"))
        let port = try #require(Int(server.address.split(separator: ":").last ?? ""))
        for (host, baseURL) in [
            ("a]b[c:::", "http://127.0.0.1:\(port)/oai"), ("x y", "http://127.0.0.1:\(port)/oai"),
            ("[::1]:\(port)", "http://[::1]:\(port)/oai"), ("chm.example.org", "http://chm.example.org/oai"),
        ] {
            let response = try Self.rawGET(port: port, path: "/oai?verb=Identify", host: host)
            let body = String(response[(response.range(of: "\r\n\r\n")?.upperBound ?? response.endIndex)...])
            #expect(body.contains("<baseURL>\(baseURL)</baseURL>"), "Host \(host): \(body.prefix(600))")
            try OAISchemaTests.validate(body, "Identify for Host \(host)")
        }
    }

    /// A socket connected to `port` on 127.0.0.1 (the caller closes it).
    static func connected(port: Int) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(descriptor >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if connected != 0 { close(descriptor) }
        try #require(connected == 0)
        return descriptor
    }

    /// A GET with a `Host` header as given, over a socket of its own (HTTP clients send the
    /// URL's host), until the server closes the connection.
    static func rawGET(port: Int, path: String, host: String) throws -> String {
        let descriptor = try connected(port: port)
        defer { close(descriptor) }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n".utf8)
        #expect(Glibc.send(descriptor, request, request.count, 0) == request.count)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received += buffer[..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }

    @Test func aServerWithoutAKeyFileIsReadOnlyAndQuiet() async throws {
        let directory = try TemporaryDirectory()
        let server = try Server(["--index", directory.path("index"), "--port", "0", "--quiet"], in: directory)
        defer { server.stop(signal: SIGKILL) }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let write = try? await Self.send(
            client, server.address + "/v1/records", method: .POST, body: "[]", contentType: "application/json", key: "any")
        let search = try? await Self.send(client, server.address + "/v1/search?q=anything")
        try await client.shutdown()
        #expect(write?.status == 403)
        #expect(search?.status == 200)
        server.stop(signal: SIGINT)
        #expect(server.process.terminationStatus == 0)
        #expect(!server.standardError.contains("GET /v1/search"))
    }

    /// Operations QA: a client uploading slowly (3 KB/s, above the slow-body cut-off) held a
    /// SIGTERM'd server for a minute, and would for hours with a large body. After
    /// `--shutdown-timeout` the connection is closed and the process ends; the log says
    /// that it is shutting down and for how long it waits.
    @Test(.timeLimit(.minutes(2))) func aSlowUploadHoldsAShutdownNoLongerThanItsTimeout() throws {
        let directory = try TemporaryDirectory()
        let keyFile = try directory.write("keys", "the-key\n")
        let server = try Server(
            ["--index", directory.path("index"), "--port", "0", "--api-key-file", keyFile, "--shutdown-timeout", "1", "--quiet"], in: directory)
        defer { server.stop(signal: SIGKILL) }
        let port = try #require(Int(server.address.split(separator: ":").last ?? ""))
        let descriptor = try Self.connected(port: port)
        defer { close(descriptor) }
        let head = Array(
            "POST /v1/records HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer the-key\r\nContent-Type: application/x-ndjson\r\nContent-Length: 10000000\r\n\r\n".utf8)
        #expect(Glibc.send(descriptor, head, head.count, Int32(MSG_NOSIGNAL)) == head.count)
        let chunk = [UInt8](repeating: 0x20, count: 1500)
        let started = Date()
        var signalled: Date?
        // 3 KB/s until the server closes the connection (or a minute passes).
        while Date().timeIntervalSince(started) < 60 {
            if Glibc.send(descriptor, chunk, chunk.count, Int32(MSG_NOSIGNAL)) < 0 { break }
            if signalled == nil, Date().timeIntervalSince(started) > 2 {
                kill(server.process.processIdentifier, SIGTERM)
                signalled = Date()
            }
            if !server.process.isRunning { break }
            usleep(500_000)
        }
        let sent = try #require(signalled)
        let deadline = Date().addingTimeInterval(30)
        while server.process.isRunning, Date() < deadline { usleep(50_000) }
        #expect(!server.process.isRunning, "still running \(Date().timeIntervalSince(sent)) s after SIGTERM")
        #expect(Date().timeIntervalSince(sent) < 15)
        #expect(server.standardError.contains("shutting down: requests in flight may finish within 1 s"), "\(server.standardError)")
        // (Operations QA: nothing on stderr said what was served, nor that the server stopped.)
        #expect(server.standardError.contains("serving \(directory.path("index")): 0 records, 1 API key"), "\(server.standardError)")
        #expect(server.standardError.contains("stopped"), "\(server.standardError)")
    }

    /// Operations QA: SIGHUP, which operators send to reload, ended the server (exit 129,
    /// nothing logged), and a key could be revoked only by a restart. SIGHUP reads the key
    /// file again; a file that cannot be read keeps the keys in use.
    @Test func sighupReadsTheKeyFileAgain() async throws {
        let directory = try TemporaryDirectory()
        let keyFile = try directory.write("keys", "old-key\n")
        let server = try Server(["--index", directory.path("index"), "--port", "0", "--api-key-file", keyFile, "--quiet"], in: directory)
        defer { server.stop(signal: SIGKILL) }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let address = server.address
        func post(_ id: String, key: String) async throws -> Int {
            try await Self.send(
                client, address + "/v1/records", method: .POST, body: #"{"id":"\#(id)","kind":"technology","title":"Reloaded"}"#,
                contentType: "application/json", key: key
            ).status
        }
        func hangUp(expecting line: String) throws {
            kill(server.process.processIdentifier, SIGHUP)
            let deadline = Date().addingTimeInterval(20)
            while !server.standardError.contains(line), Date() < deadline { usleep(20_000) }
            #expect(server.standardError.contains(line), "\(server.standardError)")
        }
        do {
            #expect(try await post("a", key: "new-key") == 401)
            try "old-key\nnew-key\n".write(toFile: keyFile, atomically: true, encoding: .utf8)
            try hangUp(expecting: "SIGHUP: read 2 API keys")
            #expect(try await post("b", key: "new-key") == 200)
            try "new-key\n".write(toFile: keyFile, atomically: true, encoding: .utf8)
            try hangUp(expecting: "SIGHUP: read 1 API key from")
            #expect(try await post("c", key: "old-key") == 401)
            try FileManager.default.removeItem(atPath: keyFile)
            try hangUp(expecting: "the keys in use are kept")
            #expect(try await post("d", key: "new-key") == 200)
            #expect(server.process.isRunning)
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
        server.stop(signal: SIGTERM)
        #expect(server.process.terminationStatus == 0, "\(server.standardError)")
    }

    @Test func sigtermDuringAnIngestLetsItFinishWhole() async throws {
        let directory = try TemporaryDirectory()
        let keyFile = try directory.write("keys", "the-key\n")
        let index = directory.path("index")
        let server = try Server(["--index", index, "--port", "0", "--api-key-file", keyFile, "--quiet"], in: directory)
        defer { server.stop(signal: SIGKILL) }
        let count = 10_000
        let body = (0..<count).map { #"{"id":"g-\#($0)","kind":"technology","title":{"en":"Graceful record \#($0)"}}"# }
            .joined(separator: "\n")
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let address = server.address
        let posting = Task {
            try await Self.send(
                client, address + "/v1/records", method: .POST, body: body, contentType: "application/x-ndjson", key: "the-key")
        }
        // Let the request arrive and the ingest start, then ask the server to stop.
        try await Task.sleep(for: .milliseconds(400))
        kill(server.process.processIdentifier, SIGTERM)
        let answer = try? await posting.value
        try await client.shutdown()
        server.stop(signal: SIGTERM)
        #expect(server.process.terminationStatus == 0, "\(server.standardError)")
        let stats = try CLI.run(["stats", "--json", "--index", index])
        let records = try CLI.json(stats.stdout)["records"] as? Int
        if let answer {
            // The request in flight was answered: its ingest committed whole.
            #expect(answer.status == 200, "\(answer.text.prefix(300))")
            #expect(records == count)
        } else {
            #expect(records == 0 || records == count)
        }
    }
}
