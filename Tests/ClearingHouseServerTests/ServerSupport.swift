// Helpers for the server tests: a clearing-house in a temporary directory with a few records,
// a server on it, and shortcuts to send requests and read JSON answers.
import ClearingHouse
import ClearingHouseServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The key the test servers accept.
let testKey = "test-key-0123456789"
/// The origin the test servers allow (CORS).
let allowedOrigin = "https://app.example.org"

/// One record as a JSON object text.
func record(
    _ id: String, kind: String = "technology", title: String, summary: String = "", countries: [String] = [], themes: [String] = [],
    published: String? = nil
) -> String {
    var members = [#""id":"\#(id)""#, #""kind":"\#(kind)""#, #""title":{"en":"\#(title)"}"#]
    if !summary.isEmpty { members.append(#""summary":{"en":"\#(summary)"}"#) }
    if !countries.isEmpty { members.append(#""countries":[\#(countries.map { "\"\($0)\"" }.joined(separator: ","))]"#) }
    if !themes.isEmpty { members.append(#""themes":[\#(themes.map { "\"\($0)\"" }.joined(separator: ","))]"#) }
    if let published { members.append(#""published":"\#(published)""#) }
    return "{" + members.joined(separator: ",") + "}"
}

/// The records every fixture starts with.
let seedRecords = [
    record(
        "tech-mangrove", title: "Community mangrove nurseries", summary: "Raising mangrove seedlings with coastal villages.",
        countries: ["KE"], themes: ["restoration"], published: "2019-05"),
    record(
        "bp-coral", kind: "bestPractice", title: "Coral reef gardening", summary: "Growing coral fragments on nurseries before reef planting.",
        countries: ["TZ"], themes: ["restoration"], published: "2021"),
    record(
        "req-mangrove", kind: "assistanceRequest", title: "Help restoring mangrove forests",
        summary: "Our coastal communities ask for training in mangrove nurseries and restoration.", countries: ["MZ"],
        themes: ["restoration"], published: "2022-02-01"),
    record(
        "tech-fog", title: "Fog nets for drinking water", summary: "Harvesting water from fog in dry mountains.", countries: ["PE"],
        published: "2018"),
]

/// A clearing-house in a temporary directory, removed by ``remove()``.
struct Fixture {
    let directory: URL
    let house: ClearingHouse

    /// A new clearing-house holding `records` (JSON Lines).
    init(records: [String] = seedRecords) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("chm-server-tests-\(UUID().uuidString)")
        house = try ClearingHouse(directory: directory.appendingPathComponent("index"))
        if !records.isEmpty {
            let report = try house.ingest(body: Array(records.joined(separator: "\n").utf8), format: .jsonLines, displayName: "seed")
            #expect(report.succeeded)
        } else {
            try house.synchronizeIndex()
        }
    }

    /// A server of the fixture's clearing-house (keys: ``testKey``; nil: read-only).
    func server(keys: [String]? = [testKey], maxBodyBytes: Int = 64 << 10) -> ClearingHouseServer {
        ClearingHouseServer(
            house: house,
            configuration: ServerConfiguration(
                port: 0, apiKeys: keys.map(APIKeys.init), corsOrigins: [allowedOrigin], maxBodyBytes: maxBodyBytes, logRequests: false))
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

/// Runs `body` against a server of a new fixture through HummingbirdTesting's router framework.
func withServer(
    records: [String] = seedRecords, keys: [String]? = [testKey], maxBodyBytes: Int = 64 << 10, setup: TestingSetup = .router,
    _ body: @escaping @Sendable (any TestClientProtocol, ClearingHouse) async throws -> Void
) async throws {
    let fixture = try Fixture(records: records)
    defer { fixture.remove() }
    let application = fixture.server(keys: keys, maxBodyBytes: maxBodyBytes).makeApplication()
    let house = fixture.house
    try await application.test(setup) { client in try await body(client, house) }
}

extension TestResponse {
    /// The body as text.
    var text: String { String(buffer: body) }

    /// The body as a JSON object.
    var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    /// The ids of the `hits` of a search, match or similar answer.
    var hitIDs: [String] {
        (object["hits"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }
}

extension TestClientProtocol {
    /// GET `uri`.
    func get(_ uri: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        try await execute(uri: uri, method: .get, headers: headers)
    }

    /// POST `body` to `uri` with a content type (and the test key unless `key` says otherwise).
    func post(_ uri: String, _ body: String, contentType: String? = "application/json", key: String? = testKey) async throws
        -> TestResponse
    {
        var headers: HTTPFields = [:]
        if let contentType { headers[.contentType] = contentType }
        if let key { headers[.authorization] = "Bearer \(key)" }
        return try await execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
    }
}

/// Checks that `response` is a problem document with `status`, and returns it.
@discardableResult
func expectProblem(_ response: TestResponse, _ status: HTTPResponse.Status, sourceLocation: SourceLocation = #_sourceLocation)
    -> [String: Any]
{
    #expect(response.status == status, "\(response.text)", sourceLocation: sourceLocation)
    #expect(response.headers[.contentType] == "application/problem+json", sourceLocation: sourceLocation)
    #expect(response.headers[.xContentTypeOptions] == "nosniff", sourceLocation: sourceLocation)
    let problem = response.object
    for key in ["type", "title", "status", "detail"] {
        #expect(problem[key] != nil, "no \(key) in \(response.text)", sourceLocation: sourceLocation)
    }
    #expect(problem["status"] as? Int == status.code, sourceLocation: sourceLocation)
    return problem
}
