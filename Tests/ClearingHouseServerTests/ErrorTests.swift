// Every error answer of `chm serve`: a problem document (application/problem+json with type,
// title, status, detail) with the right status, and never a 500 for what a client sends.
import ClearingHouse
@testable import ClearingHouseServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SearchCore
import Testing

@Suite struct ErrorTests {
    /// Review: `Routes.table` (which tells 405 from 404) is kept by hand beside the router.
    /// Every path and method it lists reaches a route: never "no such path", never 405.
    @Test func everyRouteTheTableListsExists() async throws {
        try await withServer { client, _ in
            for route in Routes.table {
                let path = "/" + route.pattern.map { $0 == "*" ? "tech-fog" : $0 }.joined(separator: "/")
                for method in route.methods {
                    let response = try await client.execute(uri: path, method: HTTPRequest.Method(method) ?? .get, headers: [:], body: nil)
                    let text = String(buffer: response.body)
                    #expect(response.status != .methodNotAllowed, "\(method) \(path): \(text)")
                    #expect(!text.contains("no such path"), "\(method) \(path): \(text)")
                }
            }
        }
    }

    /// Maintainer QA: a port in use said `bind(descriptor:ptr:bytes:): Address already in use)
    /// (errno: 98)`. It names the address and the parameter.
    @Test func anAddressInUseIsNamed() async throws {
        let fixture = try Fixture(records: [])
        defer { fixture.remove() }
        let first = ClearingHouseServer(house: fixture.house, configuration: ServerConfiguration(port: 0, logRequests: false))
        try await first.makeApplication().test(.live) { client in
            let port = try #require(client.port)
            let second = ClearingHouseServer(house: fixture.house, configuration: ServerConfiguration(port: port, logRequests: false))
            do {
                try await second.run()
                Issue.record("a second server ran on port \(port)")
            } catch let error as ClearingHouseError {
                #expect(error.parameter == "port")
                #expect(error.message.contains("127.0.0.1:\(port) is in use"), "\(error)")
            }
        }
    }

    @Test func badParametersAreNamed() async throws {
        try await withServer { client, _ in
            let since = expectProblem(try await client.get("/v1/search?q=reef&since=2020-13"), .badRequest)
            #expect(since["parameter"] as? String == "since")
            #expect((since["detail"] as? String)?.hasPrefix(#"since: "2020-13" is not a date"#) == true)
            let cases: [(String, String)] = [
                ("/v1/search?limit=1001", "limit"), ("/v1/search?limit=-1", "limit"), ("/v1/search?limit=ten", "limit"),
                ("/v1/search?offset=99999999999999999999", "offset"), ("/v1/search?kind=spaceship", "kind"),
                ("/v1/search?facets=colour", "facets"), ("/v1/search?sort=random", "sort"), ("/v1/search?count=maybe", "count"),
                ("/v1/search?lang=%20", "lang"), ("/v1/search?knd=technology", "knd"), ("/v1/search?q=a&q=b", "q"),
                ("/v1/search?country=", "country"), ("/v1/search?q=%ZZ", "q"), ("/v1/search?q=a%2", "q"),
                ("/v1/search?q=r%E9cif", "q"), ("/v1/search?q=%C3", "q"), ("/v1/search?%ZZ=1", "%ZZ"),
                ("/v1/records/tech-fog/similar?until=2020-02-30", "until"), ("/v1/records/req-mangrove/matches?limit=x", "limit"),
            ]
            for (uri, parameter) in cases {
                let problem = expectProblem(try await client.get(uri), .badRequest)
                #expect(problem["parameter"] as? String == parameter, "\(uri): \(problem)")
                #expect((problem["detail"] as? String)?.hasPrefix(parameter + ":") == true, "\(uri): \(problem)")
            }
            let posted = expectProblem(try await client.post("/v1/search", #"{"q": "reef", "limit": "many"}"#, key: nil), .badRequest)
            #expect(posted["parameter"] as? String == "limit")
            let nested = expectProblem(try await client.post("/v1/search", #"{"kind": {"a": 1}}"#, key: nil), .badRequest)
            #expect(nested["parameter"] as? String == "kind")
            // Each member has its JSON type; a null member still needs a known name.
            let typed: [(String, String)] = [
                (#"{"lang": false}"#, "lang"), (#"{"language": [false]}"#, "language"), (#"{"region": false}"#, "region"),
                (#"{"q": 5}"#, "q"), (#"{"count": "yes"}"#, "count"), (#"{"": null}"#, ""), (#"{"colour": null}"#, "colour"),
            ]
            for (body, parameter) in typed {
                let problem = expectProblem(try await client.post("/v1/search", body, key: nil), .badRequest)
                #expect(problem["parameter"] as? String == parameter, "\(body): \(problem)")
            }
            // `+` is a space, `%XX` a byte of UTF-8 (upper or lower case), anything else as sent.
            let decoded = try await client.get("/v1/search?q=coral+r%C3%A9cif%2bx%2Fy~&lang=fr")
            #expect(decoded.status == .ok, "\(decoded.text)")
            #expect(decoded.object["query"] as? String == "coral récif+x/y~")
            // A facet asked twice is counted once (it once brought the process down).
            #expect(try await client.get("/v1/search?facets=theme,theme").status == .ok)
            #expect(try await client.post("/v1/search", #"{"facets": ["kind", "kind"]}"#, key: nil).status == .ok)
            let text = expectProblem(try await client.post("/v1/match", #"{"text": false}"#, key: nil), .badRequest)
            #expect(text["parameter"] as? String == "text")
            let broken = expectProblem(try await client.post("/v1/search", #"{"q": "#, key: nil), .badRequest)
            #expect(broken["parameter"] as? String == "body")
            let match = expectProblem(try await client.post("/v1/match", #"{"country": "KE"}"#, key: nil), .badRequest)
            #expect(match["parameter"] as? String == "id")
            let country = expectProblem(try await client.post("/v1/match", #"{"text": "reefs", "country": "XX"}"#, key: nil), .badRequest)
            #expect(country["parameter"] as? String == "country")
            let help = expectProblem(try await client.post("/v1/match", #"{"id": "req-mangrove", "assistanceTypes": ["training"]}"#, key: nil), .badRequest)
            #expect(help["parameter"] as? String == "assistanceTypes")
            let kind = try await client.get("/v1/records/req-mangrove/matches?kind=assistanceRequest")
            #expect(kind.status == .ok && kind.hitIDs.isEmpty)
            let long = String(repeating: "reef ", count: 4_001)
            let tooLong = expectProblem(try await client.post("/v1/match", #"{"text": "\#(long)"}"#, key: nil), .badRequest)
            #expect(tooLong["parameter"] as? String == "text")
            // Thousands of filter values held a search thread for seconds.
            let themes = (0...1_000).map { "\"t\($0)\"" }.joined(separator: ",")
            let many = expectProblem(try await client.post("/v1/search", #"{"theme": [\#(themes)]}"#, key: nil), .badRequest)
            #expect(many["parameter"] as? String == "theme")
            #expect((many["detail"] as? String)?.contains("at most 1000") == true, "\(many)")
            // Requests that take no parameters in their URL refuse them (a `q` beside a body,
            // a misspelt option on a delete, were ignored; the delete went ahead).
            for (uri, method) in [
                ("/v1/search?q=x", HTTPRequest.Method.post), ("/v1/match?bogus=1", .post), ("/v1/records/tech-fog?x=1", .get),
                ("/v1/stats?x=1", .get), ("/v1/records/tech-fog?dryRun=true", .delete), ("/healthz?x=1", .get),
                ("/readyz?x=1", .get), ("/openapi.json?x", .get),
            ] {
                let response = try await client.execute(
                    uri: uri, method: method, headers: [.authorization: "Bearer \(testKey)", .contentType: "application/json"],
                    body: ByteBuffer(string: #"{"q": "reef", "text": "reefs"}"#))
                let problem = expectProblem(response, .badRequest)
                #expect((problem["detail"] as? String)?.contains("takes no parameters") == true, "\(uri): \(problem)")
            }
            #expect(try await client.get("/v1/records/tech-fog").status == .ok)
            // A misspelt body member is an unknown parameter whatever its value (a number was
            // answered "give a string or an array of strings").
            for (uri, body) in [("/v1/search", #"{"limt": 5}"#), ("/v1/match", #"{"text": "x", "bogus": 1}"#)] {
                let problem = expectProblem(try await client.post(uri, body, key: nil), .badRequest)
                #expect((problem["detail"] as? String)?.contains("unknown parameter") == true, "\(uri): \(problem)")
            }
        }
    }

    @Test func hostileBodiesAndQueriesAreRefusedByName() async throws {
        try await withServer(maxBodyBytes: 32 << 20) { client, _ in
            // A body of many thousand unknown members is refused naming the first (their
            // names were once kept in a list searched for each: 80,000 took 19 s).
            let members = (0..<20_000).map { "\"k\($0)\": 1" }.joined(separator: ",")
            let unknown = expectProblem(try await client.post("/v1/search", "{\(members)}", key: nil), .badRequest)
            #expect(unknown["parameter"] as? String == "k0", "\(unknown)")
            // A string over the text limit is refused naming its member (it was dropped, and the
            // search answered with every record).
            let huge = String(repeating: "a", count: 10_000_001)
            let q = expectProblem(try await client.post("/v1/search", #"{"q": "\#(huge)"}"#, key: nil), .badRequest)
            #expect(q["parameter"] as? String == "q", "\(q)")
            #expect((q["detail"] as? String)?.contains("10,000,000 bytes") == true, "\(q)")
            let text = expectProblem(try await client.post("/v1/match", #"{"text": "\#(huge)"}"#, key: nil), .badRequest)
            #expect(text["parameter"] as? String == "text", "\(text)")
            let inArray = expectProblem(try await client.post("/v1/search", #"{"theme": ["x", "\#(huge)"]}"#, key: nil), .badRequest)
            #expect(inArray["parameter"] as? String == "theme", "\(inArray)")
            // A suggestion takes as many words as a search (it took seconds for thousands).
            let words = Array(repeating: "mangrove", count: 300).joined(separator: "+")
            let suggest = expectProblem(try await client.get("/v1/suggest?q=\(words)"), .badRequest)
            #expect(suggest["parameter"] as? String == "q", "\(suggest)")
            #expect(try await client.get("/v1/suggest?q=mangrove+rest").status == .ok)
        }
    }

    @Test func anInvalidQueryNamesThePosition() async throws {
        try await withServer { client, _ in
            let problem = expectProblem(try await client.get("/v1/search?q=%28mangrove+AND"), .badRequest)
            #expect(problem["title"] as? String == "Invalid query")
            #expect((problem["detail"] as? String)?.contains("invalid query") == true)
            #expect((problem["detail"] as? String)?.contains("position") == true || (problem["detail"] as? String)?.contains("column") == true)
        }
    }

    @Test func unknownRecordsPathsAndMethods() async throws {
        try await withServer { client, _ in
            expectProblem(try await client.get("/v1/records/no-such-record"), .notFound)
            expectProblem(try await client.get("/v1/records/no-such-record/similar"), .notFound)
            expectProblem(try await client.get("/v1/records/no-such-record/matches"), .notFound)
            expectProblem(try await client.get("/v1/nothing-here"), .notFound)
            expectProblem(try await client.get("/nothing-here"), .notFound)
            expectProblem(try await client.execute(uri: "/", method: .delete), .methodNotAllowed)
            let wrong = try await client.execute(uri: "/v1/search", method: .delete)
            expectProblem(wrong, .methodNotAllowed)
            #expect(wrong.headers[.allow]?.contains("GET") == true)
            #expect(wrong.headers[.allow]?.contains("POST") == true)
            expectProblem(try await client.execute(uri: "/v1/records", method: .get), .methodNotAllowed)
            expectProblem(try await client.execute(uri: "/v1/records/tech-fog", method: .put), .methodNotAllowed)
            expectProblem(try await client.execute(uri: "/v1/stats", method: .post), .methodNotAllowed)
            // An empty segment is another path: the record `tech-fog` is not `tech-fog/`, and
            // a delete of the one never reaches the other.
            for uri in ["/v1/records/tech-fog/", "/v1/records//tech-fog", "/v1/records/tech-fog//similar", "//v1/search", "/v1/search/"] {
                let problem = expectProblem(try await client.get(uri), .notFound)
                #expect((problem["detail"] as? String)?.contains("empty segment") == true, "\(uri): \(problem)")
            }
            let delete = try await client.execute(uri: "/v1/records/tech-fog/", method: .delete, headers: [.authorization: "Bearer \(testKey)"])
            expectProblem(delete, .notFound)
            #expect(try await client.get("/v1/records/tech-fog").status == .ok)
        }
    }

    @Test func writesNeedAKey() async throws {
        try await withServer { client, house in
            let body = record("keyless", title: "Should not be stored")
            let missing = expectProblem(try await client.post("/v1/records", body, key: nil), .unauthorized)
            _ = missing
            let noKey = try await client.post("/v1/records", body, key: nil)
            #expect(noKey.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            let wrong = try await client.post("/v1/records", body, key: "not-the-key")
            expectProblem(wrong, .unauthorized)
            #expect(wrong.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            let prefix = try await client.post("/v1/records", body, key: String(testKey.dropLast()))
            expectProblem(prefix, .unauthorized)
            let basic = try await client.execute(
                uri: "/v1/records", method: .post, headers: [.authorization: "Basic \(testKey)", .contentType: "application/json"],
                body: ByteBuffer(string: body))
            expectProblem(basic, .unauthorized)
            // Spaces or a tab between the scheme and the key are whitespace alike.
            for header in ["Bearer\t\(testKey)", "bearer  \(testKey)"] {
                let spaced = try await client.execute(
                    uri: "/v1/records", method: .post, headers: [.authorization: header, .contentType: "application/json"],
                    body: ByteBuffer(string: record("spaced", title: "Stored with a spaced key")))
                #expect(spaced.status == .ok, "\(header): \(spaced.text)")
            }
            expectProblem(try await client.execute(uri: "/v1/records/tech-fog", method: .delete), .unauthorized)
            #expect(try house.record(id: "keyless") == nil)
            #expect(try house.record(id: "tech-fog") != nil)
        }
    }

    @Test func aServerWithoutKeysIsReadOnly() async throws {
        try await withServer(keys: nil) { client, house in
            expectProblem(try await client.post("/v1/records", record("x", title: "X")), .forbidden)
            expectProblem(
                try await client.execute(uri: "/v1/records/tech-fog", method: .delete, headers: [.authorization: "Bearer \(testKey)"]),
                .forbidden)
            #expect(try await client.get("/v1/search?q=fog").status == .ok)
            #expect(try house.record(id: "tech-fog") != nil)
        }
    }

    @Test func bodiesTooLargeOrOfAnotherType() async throws {
        try await withServer(maxBodyBytes: 1024) { client, house in
            let big = (0..<40).map { record("big-\($0)", title: "Record number \($0)") }.joined(separator: "\n")
            #expect(big.utf8.count > 1024)
            expectProblem(try await client.post("/v1/records", big, contentType: "application/x-ndjson"), .contentTooLarge)
            // With Content-Length, refused before the body is read.
            let declared = try await client.execute(
                uri: "/v1/records", method: .post,
                headers: [.authorization: "Bearer \(testKey)", .contentType: "application/x-ndjson", .contentLength: "\(big.utf8.count)"],
                body: ByteBuffer(string: big))
            #expect((expectProblem(declared, .contentTooLarge)["detail"] as? String)?.contains("1024 bytes") == true)
            expectProblem(try await client.post("/v1/search", #"{"q": "\#(String(repeating: "reef ", count: 300))"}"#, key: nil), .contentTooLarge)
            #expect(try house.record(id: "big-0") == nil)
            // A help-desk form over the limit is a 413 page that names the form (QA: a 400 about
            // a parameter q, advising to send records in several requests).
            let form = try await client.execute(
                uri: "/helpdesk", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "need=" + String(repeating: "a", count: 2_000)))
            #expect(form.status == .contentTooLarge && form.text.contains("the form is larger"), "\(form.text)")

            expectProblem(try await client.post("/v1/records", "id,kind\n", contentType: "text/csv"), .unsupportedMediaType)
            expectProblem(
                try await client.post("/v1/records", "a=b", contentType: "application/x-www-form-urlencoded"), .unsupportedMediaType)
            expectProblem(try await client.post("/v1/search", "q=reef", contentType: "text/plain", key: nil), .unsupportedMediaType)

            // A body whose coding the server does not decode is refused, not read as JSON (a
            // gzipped body was answered "found byte 0x1F", a `br` one stored as it was).
            let codedRecord = #"{"id": "coded", "kind": "technology", "title": {"en": "Coded"}}"#
            for coding in ["gzip", "br", "identity, gzip"] {
                let coded = try await client.execute(
                    uri: "/v1/records", method: .post,
                    headers: [.authorization: "Bearer \(testKey)", .contentType: "application/json", .contentEncoding: coding],
                    body: ByteBuffer(string: codedRecord))
                #expect(coded.headers[.acceptEncoding] == "identity")
                #expect((expectProblem(coded, .unsupportedMediaType)["detail"] as? String)?.contains("uncompressed") == true)
            }
            #expect(try house.record(id: "coded") == nil)
            // A transfer coding other than chunked: 400, never a 5xx for what a client sends.
            let gzipped = try await client.execute(
                uri: "/v1/records", method: .post,
                headers: [.authorization: "Bearer \(testKey)", .contentType: "application/json", .transferEncoding: "gzip, chunked"],
                body: ByteBuffer(string: codedRecord))
            #expect((expectProblem(gzipped, .badRequest)["type"] as? String)?.hasSuffix("malformed-request") == true)
            #expect(try house.record(id: "coded") == nil)
            let identity = try await client.execute(
                uri: "/v1/search", method: .post, headers: [.contentType: "application/json", .contentEncoding: "identity"],
                body: ByteBuffer(string: #"{"q": "reef"}"#))
            #expect(identity.status == .ok, "\(identity.text)")
        }
    }

    @Test func recordsThatCannotBeStoredAre422() async throws {
        try await withServer { client, house in
            let bad = try await client.post("/v1/records", #"{"id": "x", "kind": "technology", "title": {"en": "X"}, "countries": ["XX"]}"#)
            let problem = expectProblem(bad, .unprocessableContent)
            let diagnostics = problem["diagnostics"] as? [[String: Any]] ?? []
            #expect(diagnostics.contains { $0["field"] as? String == "countries[0]" && $0["severity"] as? String == "error" })
            for key in ["file", "line", "severity", "message"] {
                #expect(diagnostics.first?[key] != nil, "no \(key) in a diagnostic")
            }
            expectProblem(try await client.post("/v1/records", "{not json"), .unprocessableContent)
            expectProblem(try await client.post("/v1/records", "<records><record"), .unprocessableContent)
            expectProblem(try await client.post("/v1/records", "", contentType: "application/xml"), .unprocessableContent)
            let doctype = #"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "x">]><records xmlns="urn:chm:records:1"/>"#
            expectProblem(try await client.post("/v1/records", doctype, contentType: "application/xml"), .unprocessableContent)
            expectProblem(try await client.post("/v1/records?skipInvalid=perhaps", "[]"), .badRequest)
            #expect(try house.record(id: "x") == nil)
        }
    }

    @Test func anIndexThatCannotBeReadIs503() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        // Overwrite the index's segment files: nothing can open them.
        let segments = fixture.house.directory.appendingPathComponent("segments")
        for name in try FileManager.default.contentsOfDirectory(atPath: segments.path) where name.hasSuffix(".seg") {
            try Data(repeating: 0x5A, count: 64).write(to: segments.appendingPathComponent(name))
        }
        let application = fixture.server().makeApplication()
        try await application.test(.router) { client in
            expectProblem(try await client.get("/readyz"), .serviceUnavailable)
            expectProblem(try await client.get("/v1/search?q=reef"), .serviceUnavailable)
            #expect(try await client.get("/healthz").status == .ok)
        }
    }

    /// Damage in a section read only when first needed (the word forms, which prefix searches
    /// read) was a 500 on /v1/search while /readyz said ready: it is a 503, and the server is
    /// then unready until a new commit (a repair) replaces the snapshot.
    @Test func damageASearchMeetsIs503AndMakesTheServerUnready() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let segments = fixture.house.directory.appendingPathComponent("segments")
        for name in try FileManager.default.contentsOfDirectory(atPath: segments.path) where name.hasSuffix(".seg") {
            let file = segments.appendingPathComponent(name)
            var bytes = Array(try Data(contentsOf: file))
            // The section table (at the offset the footer's first 8 bytes give): 4 bytes of
            // count, then per section its id (4), offset (8) and length (8).
            func integer(_ offset: Int, _ size: Int) -> Int { (0..<size).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * $1) } }
            let table = integer(bytes.count - 20, 8)
            for entry in 0..<integer(table, 4) where integer(table + 4 + entry * 24, 4) == 10 {  // the word forms' index
                let (offset, length) = (integer(table + 8 + entry * 24, 8), integer(table + 16 + entry * 24, 8))
                for index in offset..<offset + length { bytes[index] ^= 0x5A }
            }
            try Data(bytes).write(to: file)
        }
        let application = fixture.server().makeApplication()
        try await application.test(.router) { client in
            #expect(try await client.get("/readyz").status == .ok)
            let problem = expectProblem(try await client.get("/v1/search?q=re*"), .serviceUnavailable)
            #expect((problem["detail"] as? String)?.contains("check --repair") == true, "\(problem)")
            expectProblem(try await client.get("/readyz"), .serviceUnavailable)
        }
    }

    /// A body parameter's number is read from its digits: `2.0000000000000001` and `1e-400`
    /// were taken as 2 and 0 (the doubles they round to). A byte order mark before a JSON body
    /// of parameters is skipped, as before a body of records.
    @Test func bodyNumbersAreWholeByTheirDigitsAndAByteOrderMarkIsSkipped() async throws {
        #expect(RequestParameters.wholeNumber("126") == 126)
        #expect(RequestParameters.wholeNumber("126.0") == 126)
        #expect(RequestParameters.wholeNumber("1.26e2") == 126)
        #expect(RequestParameters.wholeNumber("12600E-2") == 126)
        #expect(RequestParameters.wholeNumber("-0") == 0)
        #expect(RequestParameters.wholeNumber("0e99999999") == 0)
        #expect(RequestParameters.wholeNumber("-3") == -3)
        for text in ["2.0000000000000001", "1e-400", "0.99999999999999999", "2.5", "1e16", "1e999999999999", "1.", "e5", "--1"] {
            #expect(RequestParameters.wholeNumber(text) == nil, "\(text)")
        }
        try await withServer { client, _ in
            for limit in ["1e-400", "2.0000000000000001", "0.99999999999999999"] {
                expectProblem(try await client.post("/v1/search", #"{"q": "reef", "limit": \#(limit)}"#), .badRequest)
            }
            #expect(try await client.post("/v1/search", #"{"q": "reef", "limit": 1.0e1}"#).status == .ok)
            let bom = try await client.post("/v1/search", "\u{FEFF}" + #"{"q": "reef", "limit": 1}"#)
            #expect(bom.status == .ok, "\(bom.text)")
            #expect(try await client.post("/v1/match", "\u{FEFF}" + #"{"text": "coral reef restoration"}"#).status == .ok)
        }
    }

    /// Details name files inside the index directory relative to it, and no other path.
    @Test func detailsHideTheIndexDirectory() {
        var problem = Problem(.serviceUnavailable, "unavailable", "Service unavailable", detail: "")
        for (detail, shown) in [
            ("catalog error in /srv/idx/catalog.sqlite: malformed", "catalog error in catalog.sqlite: malformed"),
            ("the index in /srv/idx is locked", "the index in the index directory is locked"),
            ("see /srv/idx.old/x and /srv/idx/segments", "see /srv/idx.old/x and segments"),
        ] {
            problem.detail = detail
            _ = problem.hidePath("/srv/idx/")
            #expect(problem.detail == shown)
        }
        problem.detail = "nothing of it"
        let hid = problem.hidePath("/srv/idx")
        #expect(!hid)
    }

    /// A catalog that cannot be read makes the server unready (it said ready while every search
    /// answered 503), and the answers name no path outside the index directory.
    @Test func aCatalogThatCannotBeReadIs503() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let application = fixture.server().makeApplication()
        try await application.test(.router) { client in
            #expect(try await client.get("/readyz").status == .ok)
            let catalog = fixture.house.directory.appendingPathComponent("catalog.sqlite")
            let handle = try FileHandle(forWritingTo: catalog)
            try handle.write(contentsOf: Data(count: 200_000))
            try handle.close()
            let problem = expectProblem(try await client.get("/readyz"), .serviceUnavailable)
            let detail = problem["detail"] as? String ?? ""
            #expect(detail.contains("catalog.sqlite") && !detail.contains(fixture.house.directory.path), "\(detail)")
            // (A search may still be answered from pages read before the damage; never a 500.)
            #expect([.ok, .serviceUnavailable].contains(try await client.get("/v1/search?q=reef").status))
        }
    }

    /// Operations QA: an index directory moved into place under a running server (a new
    /// index built aside, then `mv`) left it searching the new index against the old, deleted
    /// catalog (totals without hits), writing posted records into the old catalog with a 200,
    /// and rebuilding the new index from the old catalog. Every read and write now says the
    /// catalog was replaced (503, restart), and the new directory is left as it was.
    @Test func anIndexDirectoryReplacedUnderTheServerIsRefusedNotMixed() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let replacement = try Fixture(records: [#"{"id": "new-1", "kind": "technology", "title": "Replacement record"}"#])
        defer { replacement.remove() }
        let application = fixture.server().makeApplication()
        let index = fixture.house.directory
        try await application.test(.router) { client in
            #expect(try await client.get("/v1/search?q=reef").status == .ok)
            try FileManager.default.moveItem(at: index, to: fixture.directory.appendingPathComponent("index.old"))
            try FileManager.default.moveItem(at: replacement.house.directory, to: index)
            let segmentsBefore = try FileManager.default.contentsOfDirectory(atPath: index.appendingPathComponent("segments").path).sorted()

            for uri in ["/v1/search?q=reef", "/v1/search?q=", "/v1/records/tech-fog", "/v1/stats", "/readyz"] {
                let problem = expectProblem(try await client.get(uri), .serviceUnavailable)
                #expect((problem["detail"] as? String ?? "").contains("deleted or replaced while open"), "\(uri): \(problem)")
            }
            let post = try await client.post("/v1/records", #"{"id": "posted", "kind": "technology", "title": "Posted"}"#)
            expectProblem(post, .serviceUnavailable)
            expectProblem(try await client.execute(uri: "/v1/records/tech-fog", method: .delete, headers: [.authorization: "Bearer \(testKey)"]), .serviceUnavailable)
            // The replacement is untouched: no segment written, no record posted into either.
            #expect(try FileManager.default.contentsOfDirectory(atPath: index.appendingPathComponent("segments").path).sorted() == segmentsBefore)
            let reopened = try ClearingHouse(directory: index, create: false)
            #expect(try reopened.statistics().records == 1)
            #expect(try reopened.record(id: "posted") == nil)
            let old = try ClearingHouse(directory: fixture.directory.appendingPathComponent("index.old"), create: false)
            #expect(try old.record(id: "posted") == nil)
        }
    }

    /// Review: an index reached through a symbolic link that is pointed at another index
    /// under the running server (the usual way to put a new index in place) went unseen: a
    /// POST stored its records in the first index's catalog and indexed them in the second's
    /// segments. Reads and writes are refused, and the second index is left as it was.
    @Test func anIndexLinkPointedElsewhereIsRefusedNotMixed() async throws {
        let first = try Fixture()
        defer { first.remove() }
        let second = try Fixture(records: [#"{"id": "new-1", "kind": "technology", "title": "Replacement record"}"#])
        defer { second.remove() }
        let link = first.directory.appendingPathComponent("current")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: first.house.directory)
        let house = try ClearingHouse(directory: link, create: false)
        let server = ClearingHouseServer(
            house: house, configuration: ServerConfiguration(port: 0, apiKeys: APIKeys([testKey]), logRequests: false))
        try await server.makeApplication().test(.router) { client in
            #expect(try await client.get("/v1/search?q=reef").status == .ok)
            try FileManager.default.removeItem(at: link)
            try FileManager.default.createSymbolicLink(at: link, withDestinationURL: second.house.directory)
            let segments = second.house.directory.appendingPathComponent("segments").path
            let before = try FileManager.default.contentsOfDirectory(atPath: segments).sorted()
            expectProblem(try await client.post("/v1/records", #"{"id": "posted", "kind": "technology", "title": "Posted"}"#), .serviceUnavailable)
            expectProblem(try await client.get("/v1/search?q=reef"), .serviceUnavailable)
            #expect(try FileManager.default.contentsOfDirectory(atPath: segments).sorted() == before)
            #expect(try first.house.record(id: "posted") == nil)
            #expect(try second.house.check().problems.isEmpty)
        }
    }

    /// Operations QA: the index directory deleted under a running server: a POST answered 200
    /// and its records were lost (a `segments/` made again without a catalog). Writes and
    /// reads are refused, and nothing is made where the directory was.
    @Test func anIndexDirectoryDeletedUnderTheServerRefusesWrites() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let application = fixture.server().makeApplication()
        let index = fixture.house.directory
        try await application.test(.router) { client in
            try FileManager.default.removeItem(at: index)
            expectProblem(try await client.post("/v1/records", #"{"id": "posted", "kind": "technology", "title": "Posted"}"#), .serviceUnavailable)
            expectProblem(try await client.execute(uri: "/v1/records/tech-fog", method: .delete, headers: [.authorization: "Bearer \(testKey)"]), .serviceUnavailable)
            expectProblem(try await client.get("/v1/search?q=reef"), .serviceUnavailable)
            #expect(!FileManager.default.fileExists(atPath: index.path))
        }
    }

    /// Operations QA: after a write whose index commit failed (the catalog's had committed),
    /// the server answered `"stale": true` until some write came. A stale answer makes it
    /// catch the index up on its own.
    @Test func aStaleAnswerMakesTheServerCatchUp() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let segments = fixture.house.directory.appendingPathComponent("segments").path
        FaultInjector.install(.init(point: "flush.write", occurrence: 1, effect: .fail(ENOSPC), directory: segments))
        #expect(throws: ClearingHouseError.self) {
            try fixture.house.ingest(
                body: Array(#"{"id": "late", "kind": "technology", "title": "Peatland rewetting"}"#.utf8), format: .json, displayName: "late")
        }
        FaultInjector.reset(directory: segments)
        let application = fixture.server().makeApplication()
        try await application.test(.router) { client in
            let first = try await client.get("/v1/search?q=peatland")
            #expect(first.object["stale"] as? Bool == true, "\(first.text)")
            var caughtUp = false
            for _ in 0..<100 where !caughtUp {
                try await Task.sleep(for: .milliseconds(50))
                let again = try await client.get("/v1/search?q=peatland")
                caughtUp = again.object["stale"] == nil && again.hitIDs == ["late"]
            }
            #expect(caughtUp)
        }
    }

    /// Operations QA: a POST whose records were stored but whose index write met a full disk
    /// answered 503 with `Retry-After: 5`, the wrong advice for a full disk. It says what was
    /// stored and what to do, without a time to retry.
    @Test func aFullDiskIsNoRetryAfter() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let segments = fixture.house.directory.appendingPathComponent("segments").path
        let application = fixture.server().makeApplication()
        try await application.test(.router) { client in
            FaultInjector.install(.init(point: "flush.write", occurrence: 1, effect: .fail(ENOSPC), directory: segments))
            let response = try await client.post("/v1/records", #"{"id": "full", "kind": "technology", "title": "Full disk"}"#)
            FaultInjector.reset(directory: segments)
            let problem = expectProblem(response, .serviceUnavailable)
            #expect(response.headers[.retryAfter] == nil)
            let detail = problem["detail"] as? String ?? ""
            #expect(detail.contains("No space left on device") && detail.contains("stored in the catalog"), "\(detail)")
        }
    }

    /// Embedding QA: a server object's write pool was shut down with its first application,
    /// so a second run (or a second application) answered every write with 503 for good.
    @Test func aServerObjectRunsAgain() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let server = fixture.server()
        for round in 0..<2 {
            try await server.makeApplication().test(.live) { client in
                let response = try await client.post("/v1/records", #"{"id": "again-\#(round)", "kind": "technology", "title": "Again"}"#)
                #expect(response.status == .ok, "round \(round): \(response.text)")
            }
        }
        #expect(try fixture.house.record(id: "again-1") != nil)
    }

    /// Embedding QA: an idle timeout of zero or below passed the checks, and the server then
    /// reset every connection; an empty key list answered every write 401 instead of being
    /// read-only or refused.
    @Test func aConfigurationThatCannotServeIsRefused() {
        var configuration = ServerConfiguration(port: 0)
        configuration.idleTimeout = .zero
        #expect(throws: ClearingHouseError.self) { try configuration.validate() }
        configuration.idleTimeout = .seconds(-5)
        let negative = configuration
        #expect(parameterRefused(in: negative) == "idleTimeout")
        #expect(parameterRefused(in: ServerConfiguration(port: 0, apiKeys: APIKeys([" ", ""]))) == "apiKeys")
    }

    /// The parameter that `configuration`'s check names, or nil when it passes.
    func parameterRefused(in configuration: ServerConfiguration) -> String? {
        do {
            try configuration.validate()
            return nil
        } catch {
            return (error as? ClearingHouseError)?.parameter ?? "\(error)"
        }
    }

    @Test func corsForListedOriginsOnly() async throws {
        try await withServer { client, _ in
            let preflight = try await client.execute(
                uri: "/v1/records", method: .options,
                headers: [.origin: allowedOrigin, .accessControlRequestMethod: "POST", .accessControlRequestHeaders: "authorization, content-type"])
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[.accessControlAllowOrigin] == allowedOrigin)
            #expect(preflight.headers[.accessControlAllowHeaders]?.contains("Authorization") == true)
            #expect(preflight.headers[.accessControlAllowHeaders]?.contains("Content-Type") == true)
            #expect(preflight.headers[.accessControlAllowMethods]?.contains("POST") == true)
            #expect(preflight.headers[.accessControlAllowMethods]?.contains("DELETE") == false)  // not on /v1/records
            let deletion = try await client.execute(
                uri: "/v1/records/tech-fog", method: .options, headers: [.origin: allowedOrigin, .accessControlRequestMethod: "DELETE"])
            #expect(deletion.headers[.accessControlAllowMethods]?.contains("DELETE") == true)
            #expect(deletion.headers[.accessControlAllowMethods]?.contains("POST") == false)
            let nowhere = try await client.execute(
                uri: "/no/such/path", method: .options, headers: [.origin: allowedOrigin, .accessControlRequestMethod: "GET"])
            #expect(nowhere.status == .notFound && nowhere.headers[.accessControlAllowMethods] == nil)
            // A path with an empty segment is no route: its preflight is a 404, as the request
            // itself would be (it approved a DELETE of `tech-fog/` that then got a 404).
            for path in ["/v1/records/tech-fog/", "/v1//records"] {
                let empty = try await client.execute(
                    uri: path, method: .options, headers: [.origin: allowedOrigin, .accessControlRequestMethod: "DELETE"])
                #expect(empty.status == .notFound && empty.headers[.accessControlAllowMethods] == nil, "\(path)")
            }

            let read = try await client.get("/v1/search?q=reef", headers: [.origin: allowedOrigin])
            #expect(read.status == .ok)
            #expect(read.headers[.accessControlAllowOrigin] == allowedOrigin)
            #expect(read.headers[.vary]?.contains("Origin") == true)
            // Problems carry the headers too, so a page can read them.
            let problem = try await client.get("/v1/search?limit=-3", headers: [.origin: allowedOrigin])
            #expect(problem.headers[.accessControlAllowOrigin] == allowedOrigin)
            let write = try await client.execute(
                uri: "/v1/records", method: .post,
                headers: [.origin: allowedOrigin, .authorization: "Bearer \(testKey)", .contentType: "application/json"],
                body: ByteBuffer(string: record("from-page", title: "Posted from a page")))
            #expect(write.status == .ok)
            #expect(write.headers[.accessControlAllowOrigin] == allowedOrigin)

            let other = "https://evil.example.com"
            let otherPreflight = try await client.execute(
                uri: "/v1/records", method: .options, headers: [.origin: other, .accessControlRequestMethod: "POST"])
            #expect(otherPreflight.headers[.accessControlAllowOrigin] == nil)
            #expect(otherPreflight.headers[.accessControlAllowHeaders] == nil)
            #expect(otherPreflight.headers[.accessControlAllowMethods] == nil)
            let otherRead = try await client.get("/v1/search?q=reef", headers: [.origin: other])
            #expect(otherRead.headers[.accessControlAllowOrigin] == nil)
            // Answers without CORS headers vary by origin too, for shared caches.
            #expect(otherRead.headers[.vary]?.contains("Origin") == true)
            #expect(try await client.get("/v1/search?q=reef").headers[.vary]?.contains("Origin") == true)
        }
    }

    @Test func problemsSayWhatToDoAndDoNotEchoMegabytes() async throws {
        try await withServer { client, _ in
            let expectation = try await client.execute(uri: "/v1/search?q=reef", method: .get, headers: [.expect: "bogus"])
            expectProblem(expectation, .expectationFailed)
            #expect(try await client.execute(uri: "/v1/search?q=reef", method: .get, headers: [.expect: "100-continue"]).status == .ok)
            let unnamed = expectProblem(try await client.get("/v1/search?=1"), .badRequest)
            #expect((unnamed["detail"] as? String)?.contains("without a name") == true, "\(unnamed)")
            let digits = String(repeating: "9", count: 5_000)
            let huge = try await client.post("/v1/search", #"{"limit": \#(digits)}"#, key: nil)
            let problem = expectProblem(huge, .badRequest)
            #expect(problem["parameter"] as? String == "limit")
            #expect(huge.text.utf8.count < 3_000, "a \(huge.text.utf8.count)-byte problem")
            #expect((problem["detail"] as? String)?.contains("more characters") == true)
        }
    }
}
