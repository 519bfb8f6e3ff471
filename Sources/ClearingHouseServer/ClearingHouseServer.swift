import ClearingHouse
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
import UnixSignals

/// The clearing-house over HTTP: a JSON API on one long-lived ``ClearingHouse``.
///
/// ```swift
/// let house = try ClearingHouse(directory: URL(fileURLWithPath: "Indexes/default"))
/// let server = ClearingHouseServer(house: house, configuration: ServerConfiguration(port: 0))
/// try await server.run { address in print("listening on \(address)") }
/// ```
///
/// Reads (`GET /v1/search`, `/v1/records/{id}`, ...) need no key; writes (`POST
/// /v1/records`, `DELETE /v1/records/{id}`, `POST /v1/records/{id}/merge`) need
/// `Authorization: Bearer KEY` with a key of
/// ``ServerConfiguration/apiKeys``. Every error is an `application/problem+json` document.
///
/// The library is synchronous, so no call of it runs on an event loop: searches and other
/// reads run on NIO's blocking thread pool, and writes on a pool of one thread of their own,
/// where they queue one after another without taking a thread that searches need.
public final class ClearingHouseServer: Sendable {
    /// The clearing-house served.
    public let house: ClearingHouse
    /// How the server listens, and whom it lets write.
    public let configuration: ServerConfiguration
    /// Where the per-request lines and warnings go.
    let logger: Logger
    /// Runs the writes, one at a time: a pool of one thread for each application made
    /// (``makeApplication(onReady:)``), shut down after it stops, so that the object can be
    /// run again and one that is never run holds no thread.
    let writePool = Mutex<NIOThreadPool?>(nil)
    /// The OpenAPI document served at `/openapi.json`.
    let openAPIDocument: [UInt8]?
    /// The web pages' interface strings in the six languages.
    let localization: Localization
    /// The web pages' style sheet and script, by name.
    let assets: [String: WebAsset]
    /// The record formats' schemas (`/schema/`).
    let schemas: [String: WebAsset]
    /// The port actually bound (``ServerConfiguration/port`` may be 0), once listening: the
    /// OAI-PMH base URL falls back to it when a request's `Host` cannot be used.
    let boundPort = Atomic<Int>(0)
    /// The keys that may write now: ``ServerConfiguration/apiKeys`` until
    /// ``reloadAPIKeys()`` reads the key file again.
    let apiKeys: Mutex<APIKeys?>
    /// The keys that may write now (nil: read-only).
    var writeKeys: APIKeys? { apiKeys.withLock { $0 } }
    /// Whether a catch-up that a search started (``catchUpSoon()``) is under way.
    let catchingUp = Atomic<Bool>(false)

    /// A server of `house`.
    /// - Parameters:
    ///   - house: the clearing-house to serve; one for the whole process (it keeps one shared
    ///     searcher, refreshed when a newer commit exists).
    ///   - configuration: address, keys, CORS origins, limits.
    ///   - logger: where the request lines (one per request, unless
    ///     ``ServerConfiguration/logRequests`` is false) and warnings go.
    public init(house: ClearingHouse, configuration: ServerConfiguration, logger: Logger = Logger(label: "chm.serve")) {
        self.house = house
        self.configuration = configuration
        self.logger = logger
        apiKeys = Mutex(configuration.apiKeys)
        openAPIDocument = Bundle.module.url(forResource: "openapi", withExtension: "json")
            .flatMap { try? Data(contentsOf: $0) }.map { Array($0) }
        localization = Localization.load()
        assets = WebAsset.load()
        schemas = SchemaFiles.load()
    }

    /// Serves until SIGINT or SIGTERM, then shuts down gracefully: the server stops taking
    /// connections, requests in flight finish (an ingest commits or rolls back whole), and the
    /// function returns. Requests still in flight after ``ServerConfiguration/shutdownTimeout``
    /// have their connections closed. SIGHUP reads the key file again. What the three signals
    /// did before is put back when it returns, and the object can be run again.
    ///
    /// Cancelling the task that runs it stops at once: connections in flight are closed (their
    /// writes still commit or roll back whole). For a graceful stop from code, run
    /// ``makeApplication(onReady:)`` in a `ServiceGroup` of your own and trigger its graceful
    /// shutdown; that skips what this function does first (catching the index up with the
    /// catalog, loading the thesaurus ahead of the first search, trapping the signals).
    ///
    /// First it catches the index up with the catalog when it can take the write lock at once
    /// (``ClearingHouse/synchronizeIndex()`` without waiting); when another process holds it,
    /// it serves anyway, and its first write catches up.
    /// - Parameter onReady: called once listening, with the address (`http://127.0.0.1:8080`,
    ///   with the port actually bound when ``ServerConfiguration/port`` is 0).
    /// - Throws: when the address cannot be bound.
    public func run(onReady: @escaping @Sendable (String) -> Void = { _ in }) async throws {
        try configuration.validate()
        let records = (try? house.recordCount()).map { "\($0) record\($0 == 1 ? "" : "s")" } ?? "records not counted"
        let keys = writeKeys.map { "\($0.count) API key\($0.count == 1 ? "" : "s")" } ?? "read-only (no API key)"
        let application = makeApplication { [logger, house] address in
            logger.notice("serving \(house.directory.path): \(records), \(keys)")
            onReady(address)
        }
        await catchUpIndex()
        // The thesaurus loads beside the start, not in the first search (seconds for a
        // vocabulary of AGROVOC's size); a search that comes first loads it itself.
        Thread.detachNewThread { [house, logger] in
            do {
                try house.preloadThesaurus()
            } catch {
                logger.warning("the thesaurus could not be loaded ahead of the first search: \(error)")
            }
        }
        var group = ServiceGroupConfiguration(
            services: [
                .init(service: application),
                .init(service: ShutdownNotice(logger: logger, timeout: configuration.shutdownTimeout), successTerminationBehavior: .ignore),
                .init(service: KeyReloader(server: self), successTerminationBehavior: .ignore),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = configuration.shutdownTimeout
        // The group traps SIGINT, SIGTERM and SIGHUP and leaves them ignored when it ends: what
        // they did before is put back, so that a program that served once still stops on
        // Ctrl-C (embedding QA).
        let signals = [SIGINT, SIGTERM, SIGHUP]
        var previous = signals.map { signal in
            var action = sigaction()
            sigaction(signal, nil, &action)
            return action
        }
        defer {
            for (index, signal) in signals.enumerated() { sigaction(signal, &previous[index], nil) }
        }
        do {
            try await ServiceGroup(configuration: group).run()
            logger.notice("stopped")
        } catch let error as IOError {
            throw bindingError(error) ?? error
        } catch let error as SocketAddressError {
            throw ClearingHouseError(
                .conflict, "\(configuration.host) is neither an address nor a name this machine can resolve (\(error)); listen on one of its addresses (127.0.0.1, 0.0.0.0)",
                parameter: "host")
        }
    }

    /// What a failure to bind the address means, in words (NIO says `bind(descriptor:ptr:bytes:)`),
    /// naming the parameter at fault; nil for other failures.
    private func bindingError(_ error: IOError) -> ClearingHouseError? {
        let address = "\(configuration.host):\(configuration.port)"
        switch error.errnoCode {
        case EADDRINUSE:
            return ClearingHouseError(
                .conflict, "\(address) is in use by another program (another server?); choose another port", parameter: "port")
        case EACCES:
            return ClearingHouseError(
                .conflict, "\(address) may not be bound by this user (ports below 1024 need privileges); choose another port",
                parameter: "port")
        case EADDRNOTAVAIL:
            return ClearingHouseError(
                .conflict, "\(configuration.host) is no address of this machine; listen on one of its addresses (127.0.0.1, 0.0.0.0)",
                parameter: "host")
        default:
            return nil
        }
    }

    /// Applies the catalog's changes that the index lacks, unless another process holds the
    /// write lock (or the index cannot be written): then it logs why (unless `quietly`) and
    /// goes on.
    func catchUpIndex(quietly: Bool = false) async {
        do {
            let applied = try await write { [house] in try house.synchronizeIndexUnlessLocked() }
            if applied > 0 { logger.notice("caught the index up with the catalog: \(applied) changes applied") }
        } catch {
            if !quietly { logger.warning("serving without catching the index up with the catalog: \(error)") }
        }
    }

    /// After an answer that came from an index behind the catalog (`stale`): catches it up on
    /// the write pool, one attempt at a time. The server writes, so it need not wait for the
    /// next POST (operations QA: after a CLI write interrupted between the catalog's commit
    /// and the index's, it answered stale until some write came). A write under way, here or
    /// in another process, holds the lock: the attempt gives way, and that write catches up.
    func catchUpSoon() {
        guard catchingUp.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged else { return }
        Task {
            await catchUpIndex(quietly: true)
            catchingUp.store(false, ordering: .relaxed)
        }
    }

    /// The Hummingbird application: the routes, CORS, problem documents, request logging,
    /// HTTP/1.1 with ``ServerConfiguration/idleTimeout`` (also the time a request has before
    /// its body must come at 1 KiB a second or faster: ``SlowRequestHandler``). ``run(onReady:)`` runs it; tests may
    /// run it with HummingbirdTesting. Its services shut the write pool down after the server.
    public func makeApplication(
        onReady: @escaping @Sendable (String) -> Void = { _ in }
    ) -> Application<RouterResponder<BasicRequestContext>> {
        let host = configuration.host
        let idleTimeout = TimeAmount(configuration.idleTimeout)
        let maxBodyBytes = configuration.maxBodyBytes
        let connections = ConnectionLimit(maximum: configuration.maxConnections ?? ConnectionLimit.defaultMaximum())
        var quiet = logger
        quiet.logLevel = .warning
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        writePool.withLock { $0 = pool }
        return Application(
            router: makeRouter(),
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [
                        connections.handler(), HTTP1RulesInstaller(), ParserProblemHandler(maxBodyBytes: maxBodyBytes),
                        SlowRequestHandler(grace: idleTimeout),
                    ],
                    idleTimeout: idleTimeout)),
            configuration: ApplicationConfiguration(address: .hostname(host, port: configuration.port), serverName: "chm"),
            services: [ThreadPoolShutdown(pool: pool, server: self)],
            onServerRunning: { [self] channel in
                let port = channel.localAddress?.port ?? 0
                boundPort.store(port, ordering: .relaxed)
                let shown = host.contains(":") ? "[\(host)]" : host
                onReady("http://\(shown):\(port)")
            },
            logger: quiet
        )
    }

    /// The routes, behind the request log, CORS and the problem documents (in that order,
    /// outermost first).
    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self, options: [.autoGenerateHeadEndpoints])
        if configuration.logRequests { router.add(middleware: RequestLogMiddleware(logger: logger)) }
        router.add(middleware: CORSPolicyMiddleware(origins: Set(configuration.corsOrigins)))
        let web = WebPages(server: self)
        router.add(
            middleware: ProblemMiddleware(
                logger: logger, directory: house.directory.path, notFoundPage: { request in web.notFoundPage(request) }))
        let api = API(server: self)
        router.get("/healthz") { request, _ in
            try API.refuseQueryParameters(request)
            return API.json(#"{"status":"ok"}"#)
        }
        router.get("/readyz") { request, _ in
            try API.refuseQueryParameters(request)
            return try await api.ready()
        }
        router.get("/openapi.json") { request, _ in
            try API.refuseQueryParameters(request)
            return try api.openAPI()
        }
        router.get("/v1/search") { request, _ in try await api.search(try RequestParameters.query(request.uri.query)) }
        router.post("/v1/search") { request, _ in
            try API.refuseQueryParameters(request)
            return try await api.search(try RequestParameters.json(try await api.jsonBody(request), types: APIParameters.bodyTypes))
        }
        router.post("/v1/match") { request, _ in
            try API.refuseQueryParameters(request)
            return try await api.match(try APIParameters.match(try RequestParameters.json(try await api.jsonBody(request), types: APIParameters.bodyTypes)))
        }
        router.get("/v1/suggest") { request, _ in try await api.suggest(try RequestParameters.query(request.uri.query)) }
        router.get("/v1/stats") { request, _ in
            try API.refuseQueryParameters(request)
            return try await api.statistics()
        }
        router.post("/v1/records") { request, _ in try await api.ingest(request) }
        router.get("/v1/records/:id") { request, context in
            try API.refuseQueryParameters(request)
            return try await api.record(id: try API.recordID(context))
        }
        router.delete("/v1/records/:id") { request, context in try await api.delete(id: try API.recordID(context), request: request) }
        router.post("/v1/records/:id/merge") { request, context in try await api.merge(id: try API.recordID(context), request: request) }
        router.get("/v1/records/:id/provenance") { request, context in
            try await api.provenance(id: try API.recordID(context), parameters: try RequestParameters.query(request.uri.query))
        }
        router.get("/v1/records/:id/similar") { request, context in
            try await api.similar(id: try API.recordID(context), parameters: try RequestParameters.query(request.uri.query))
        }
        router.get("/v1/records/:id/matches") { request, context in
            let parameters = try RequestParameters.query(request.uri.query)
            try parameters.check(known: APIParameters.relatedNames)
            let matchRequest = MatchRequest(
                id: try API.recordID(context), filters: try APIParameters.filters(parameters),
                limit: try APIParameters.limit(parameters), language: try APIParameters.language(parameters))
            return try await api.match(matchRequest)
        }
        router.get("/") { request, _ in await web.search(request) }
        router.get("/records/:id") { request, context in await web.record(request, context: context) }
        router.get("/helpdesk") { request, _ in await web.helpdesk(request) }
        router.post("/helpdesk") { request, _ in await web.helpdeskPost(request) }
        router.get("/feed") { request, _ in await web.feed(request) }
        router.get("/export") { request, _ in await web.export(request) }
        router.get("/suggest") { request, _ in try await web.suggest(request) }
        router.get("/static/:name") { _, context in try web.asset(context) }
        router.get("/schema/:name") { _, context in try web.schema(context) }
        let oai = OAIEndpoint(server: self)
        router.get("/oai") { request, _ in try await oai.respond(request, query: request.uri.query) }
        router.post("/oai") { request, _ in
            // Arguments in the address of a POST are arguments too: a verb there and another in
            // the body is a repeated argument (badVerb), not a silently ignored one.
            let body = try await oai.formBody(request)
            return try await oai.respond(request, query: [request.uri.query ?? "", body].filter { !$0.isEmpty }.joined(separator: "&"))
        }
        return router
    }

    /// Runs a read of the library on NIO's blocking thread pool (never on an event loop, nor
    /// on the cooperative pool).
    func read<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(body)
    }

    /// Runs a write of the library on the write pool: writes queue there one after another.
    func write<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        // (No pool: the application is not running, as when it is shutting down.)
        guard let pool = writePool.withLock({ $0 }) else { throw CancellationError() }
        return try await pool.runIfActive(body)
    }
}

/// Shuts the write pool down once the server before it has stopped (services stop in
/// reverse order, so requests in flight have finished).
struct ThreadPoolShutdown: Service {
    let pool: NIOThreadPool
    let server: ClearingHouseServer

    func run() async throws {
        try? await gracefulShutdown()
        server.writePool.withLock { current in
            if current === pool { current = nil }
        }
        try await pool.shutdownGracefully()
    }
}

extension ClearingHouseServer {
    /// Reads ``ServerConfiguration/apiKeyFile`` again and lets its keys write from now on
    /// (what SIGHUP does while ``run(onReady:)`` serves).
    /// - Returns: how many keys the file holds.
    /// - Throws: ``ClearingHouseError`` (parameter `apiKeyFile`) when the server has no key
    ///   file, or it cannot be read or holds no key; the keys in use are kept.
    @discardableResult
    public func reloadAPIKeys() throws -> Int {
        guard let file = configuration.apiKeyFile else {
            throw ClearingHouseError.parameter(
                "apiKeyFile", "this server was given no key file to read again (ServerConfiguration.apiKeyFile; `chm serve --api-key-file`)")
        }
        let keys = try APIKeys(contentsOf: file)
        apiKeys.withLock { $0 = keys }
        return keys.count
    }
}

/// Reads the key file again on SIGHUP (which would otherwise end the process), saying on the
/// log what it did.
struct KeyReloader: Service {
    let server: ClearingHouseServer

    func run() async throws {
        let hangUps = await UnixSignalsSequence(trapping: .sighup)
        for await _ in hangUps.cancelOnGracefulShutdown() {
            do {
                let count = try server.reloadAPIKeys()
                server.logger.notice("SIGHUP: read \(count) API key\(count == 1 ? "" : "s") from \(server.configuration.apiKeyFile?.path ?? "")")
            } catch let error as ClearingHouseError {
                server.logger.error("SIGHUP: \(error.message); the keys in use are kept")
            }
        }
    }
}

/// Says on the log that a graceful shutdown began and how long it waits, so that an operator
/// whose server does not stop at once knows why.
struct ShutdownNotice: Service {
    let logger: Logger
    let timeout: Duration

    func run() async throws {
        // (Cancelled instead, as when the address cannot be bound: nothing to say.)
        do { try await gracefulShutdown() } catch { return }
        logger.notice("shutting down: requests in flight may finish within \(timeout.components.seconds) s, then their connections are closed")
    }
}
