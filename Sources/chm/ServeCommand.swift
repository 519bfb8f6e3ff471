import ArgumentParser
import ClearingHouse
import ClearingHouseServer
import Foundation
import Logging

/// `chm serve`: the clearing-house over HTTP (the server is the ClearingHouseServer module;
/// this only parses the options and runs it).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the clearing-house over HTTP: a JSON API (GET /openapi.json describes it).",
        discussion: """
            Prints "listening on http://HOST:PORT" when ready (--port 0 picks a free port) and one log line \
            per request on standard error (--quiet: none). Reads need no key; writes (POST /v1/records, \
            DELETE /v1/records/ID) need "Authorization: Bearer KEY" with a line of --api-key-file, and without \
            that file the server is read-only. /oai is an OAI-PMH 2.0 provider (oai_dc and chm formats, sets \
            by kind, country, region and theme, persistent deletions). SIGINT or SIGTERM stops it gracefully.
            """)

    @OptionGroup var indexOptions: IndexOptions
    @OptionGroup var writeOptions: WriteOptions

    @Option(help: ArgumentHelp("Address to listen on.", valueName: "ADDRESS"))
    var host = "127.0.0.1"

    @Option(parsing: .unconditional, help: ArgumentHelp("Port to listen on (0: any free port).", valueName: "PORT"))
    var port = 8080

    @Option(name: .customLong("api-key-file"), help: ArgumentHelp("Keys that may write, one a line (blank lines ignored).", valueName: "FILE"))
    var apiKeyFile: String?

    @Option(name: .customLong("cors-origin"), help: ArgumentHelp("A web origin whose pages may use the API (repeatable).", valueName: "ORIGIN"))
    var corsOrigins: [String] = []

    @Option(name: .customLong("max-body-mb"), help: ArgumentHelp("Largest request body, in MB.", valueName: "MB"))
    var maxBodyMegabytes = 64

    @Option(name: .customLong("oai-page-size"), help: ArgumentHelp("Records per page of the OAI-PMH provider at /oai.", valueName: "N"))
    var oaiPageSize = 100

    @Option(name: .customLong("oai-base-url"), help: ArgumentHelp("The OAI-PMH base URL responses name: an absolute http or https URL (default: http://HOST/oai from the request's Host).", valueName: "URL"))
    var oaiBaseURL: String?

    @Option(name: .customLong("oai-admin-email"), help: ArgumentHelp("The OAI-PMH repository's admin address, NAME@DOMAIN.TLD (repeatable).", valueName: "EMAIL"))
    var oaiAdminEmails: [String] = []

    @Option(
        name: .customLong("max-connections"),
        help: ArgumentHelp("Most connections open at once; more are closed when accepted (default: the open-file limit less 256).", valueName: "N"))
    var maxConnections: Int?

    @Option(
        name: .customLong("shutdown-timeout"), parsing: .unconditional,
        help: ArgumentHelp("Seconds that requests in flight may take after SIGTERM or SIGINT before their connections are closed.", valueName: "SECONDS"))
    var shutdownTimeout = 30

    @Flag(help: "No log line per request.")
    var quiet = false

    func validate() throws {
        guard (1...ServerConfiguration.maximumBodyMegabytes).contains(maxBodyMegabytes) else {
            throw ValidationError("--max-body-mb: \(maxBodyMegabytes) is not between 1 and \(ServerConfiguration.maximumBodyMegabytes)")
        }
        do {
            var configuration = ServerConfiguration(
                host: host, port: port, corsOrigins: corsOrigins, oai: OAIConfiguration(pageSize: oaiPageSize),
                maxConnections: maxConnections)
            configuration.shutdownTimeout = .seconds(shutdownTimeout)
            try configuration.validate()
        } catch let error as ClearingHouseError {
            throw ValidationError(Console.message(of: error))
        }
    }

    func run() async throws {
        let keys = try apiKeyFile.map { file in try Console.run { try APIKeys(contentsOf: URL(fileURLWithPath: file)) } }
        var configuration = ServerConfiguration(
            host: host, port: port, apiKeys: keys, corsOrigins: corsOrigins, maxBodyBytes: maxBodyMegabytes << 20,
            logRequests: !quiet,
            oai: OAIConfiguration(
                adminEmails: oaiAdminEmails.isEmpty ? OAIConfiguration().adminEmails : oaiAdminEmails, pageSize: oaiPageSize),
            oaiBaseURL: oaiBaseURL, maxConnections: maxConnections)
        configuration.shutdownTimeout = .seconds(shutdownTimeout)
        configuration.apiKeyFile = apiKeyFile.map { URL(fileURLWithPath: $0) }
        // (The admin emails and base URL are checked here, in one line and exit 64 before the
        // index is opened: Identify with them would fail the OAI-PMH schema.)
        try Console.run { try configuration.validate() }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        // (A new clearing-house is made where there is none, for a server that records are
        // posted to; said, so that a mistyped --index is not served silently empty.)
        let isNew = !FileManager.default.fileExists(atPath: ClearingHouse.catalogPath(in: indexOptions.directory))
        let house = try indexOptions.open(create: true, lockWait: writeOptions.lockWait(default: 5))
        let server = ClearingHouseServer(house: house, configuration: configuration, logger: Logger(label: "chm.serve"))
        if isNew { Console.error("chm: note: no catalog in \(indexOptions.directory.path): serving a new, empty clearing-house") }
        if keys == nil { Console.error("chm: note: no --api-key-file: the server is read-only") }
        do {
            try await server.run { address in
                FileHandle.standardOutput.write(Data("listening on \(address)\n".utf8))
            }
        } catch let error as ClearingHouseError {
            _ = try Console.run { () throws -> Void in throw error }
        } catch {
            Console.error("chm: error: cannot serve on \(host):\(port): \(error)")
            throw ExitCode.failure
        }
    }
}
