// The record model: canonical JSON, localized text, JSON values, kinds and content hashes.
import Testing

@testable import ClearingHouse
@testable import Records

@Suite struct RecordModelTests {
    // MARK: SHA-256

    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
        (
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
        ),
        (
            "The quick brown fox jumps over the lazy dog",
            "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"
        ),
    ])
    func sha256MatchesKnownVectors(input: String, digest: String) {
        #expect(SHA256.hex(input.utf8) == digest)
    }

    @Test func sha256HandlesEveryLengthAroundTheBlockBoundary() {
        // Padding changes shape at 55/56 and 63/64 bytes; each length must give a distinct,
        // well-formed digest.
        let digests = (50...70).map { SHA256.hex(Array(repeating: UInt8(ascii: "a"), count: $0)) }
        #expect(Set(digests).count == digests.count)
        #expect(digests.allSatisfy { $0.count == 64 && $0.allSatisfy(\.isHexDigit) })
        #expect(
            SHA256.hex(Array(repeating: UInt8(ascii: "a"), count: 64))
                == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"
        )
    }

    @Test func sha256FastPathAgreesWithThePortableCodeOnEveryLength() {
        // On a CPU with SHA extensions `hex` runs them; the portable code must agree byte for
        // byte, for every length of one to three blocks and past them, on varied bytes.
        var generator = SystemRandomNumberGenerator()
        for length in Array(0...200) + [511, 512, 513, 4095, 4096, 65_537] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(SHA256.hex(bytes) == SHA256.portableHex(bytes), "length \(length)")
        }
        // FIPS 180-4's long vector: a million "a".
        #expect(
            SHA256.hex(Array(repeating: UInt8(ascii: "a"), count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        )
        // A String's UTF-8 view and its bytes hash the same (the stored form hashes the view).
        let text = "Récifs coralliens, 珊瑚礁, коралловые рифы"
        #expect(SHA256.hex(text.utf8) == SHA256.hex(Array(text.utf8)))
    }

    // MARK: Canonical JSON

    @Test func canonicalJSONLeavesOutEmptyFields() {
        let record = Record(id: "a", kind: .technology, title: LocalizedText(["en": "T"]))
        #expect(record.canonicalJSONText == #"{"id":"a","kind":"technology","title":{"en":"T"}}"#)
    }

    @Test func canonicalJSONWritesMembersInFormatOrder() throws {
        let record = Record(
            id: "r1",
            kind: .caseStudy,
            language: "en",
            title: LocalizedText(["zh": "案例", "en": "Case"]),
            summary: LocalizedText(["en": "S"]),
            description: LocalizedText(["fr": "D"]),
            keywords: ["k"],
            themes: ["th"],
            targets: ["SDG-15"],
            countries: ["KE"],
            regions: ["East Africa"],
            assistanceTypes: ["training"],
            organizations: [Record.Organization(name: "O", role: "provider", country: "KE", url: "https://o.example")],
            links: [Record.Link(url: "https://l.example", title: "L", language: "en")],
            published: "2019",
            updated: "2020-01-15T09:00:00Z",
            license: "CC-BY-4.0",
            source: Record.Source(system: "s", url: "https://s.example", originalId: "17"),
            related: ["r2"],
            extensions: ["z": .bool(true), "a": .object([("y", .number("2")), ("x", .number("1.50"))])]
        )
        guard case .object(let members) = record.canonicalJSON else {
            Issue.record("canonical JSON is not an object")
            return
        }
        #expect(
            members.map(\.0) == [
                "id", "kind", "language", "title", "summary", "description", "keywords", "themes", "targets",
                "countries", "regions", "assistanceTypes", "organizations", "links", "published", "updated",
                "license", "source", "related", "extensions",
            ]
        )
        #expect(
            record.canonicalJSONText
                == #"{"id":"r1","kind":"caseStudy","language":"en","title":{"en":"Case","zh":"案例"},"summary":{"en":"S"},"description":{"fr":"D"},"keywords":["k"],"themes":["th"],"targets":["SDG-15"],"countries":["KE"],"regions":["East Africa"],"assistanceTypes":["training"],"organizations":[{"name":"O","role":"provider","country":"KE","url":"https://o.example"}],"links":[{"url":"https://l.example","title":"L","language":"en"}],"published":"2019","updated":"2020-01-15T09:00:00Z","license":"CC-BY-4.0","source":{"system":"s","url":"https://s.example","originalId":"17"},"related":["r2"],"extensions":{"a":{"x":1.50,"y":2},"z":true}}"#
        )
    }

    @Test func canonicalJSONParsesBackToTheSameRecord() throws {
        let record = Record(
            id: "r1",
            kind: .funding,
            language: "zh-Hant-TW",
            title: LocalizedText(["zh-Hant-TW": "資金"]),
            countries: ["TW"],
            extensions: ["n": .number("1.50")]
        )
        let parsed = try #require(try validateRecord(record.canonicalJSONText).record)
        #expect(parsed == record)
        #expect(parsed.canonicalJSONText == record.canonicalJSONText)
    }

    @Test func jsonStringsEscapeOnlyWhatMustBeEscaped() {
        let value = JSONValue.string("q\" b\\ n\n t\t \u{1} é 中 / 🌿")
        #expect(value.description == #""q\" b\\ n\n t\t \u0001 é 中 / 🌿""#)
    }

    @Test func canonicalizedSortsKeysRecursively() {
        let value = JSONValue.object([
            ("b", .array([.object([("d", .null), ("c", .bool(false))])])), ("a", .number("1.0")),
        ])
        #expect(value.canonicalized.description == #"{"a":1.0,"b":[{"c":false,"d":null}]}"#)
        #expect(value.description == #"{"b":[{"d":null,"c":false}],"a":1.0}"#)
    }

    @Test func jsonObjectsAreEqualOnlyInTheSameOrder() {
        let ab = JSONValue.object([("a", .null), ("b", .null)])
        let ba = JSONValue.object([("b", .null), ("a", .null)])
        #expect(ab != ba)
        #expect(ab.canonicalized == ba.canonicalized)
        #expect(JSONValue.number("1.50") != .number("1.5"))
    }

    // MARK: Localized text

    @Test func resolvedPrefersTheAskedLanguageThenEnglishThenTheFirstTag() {
        let text = LocalizedText(["fr": "Bonjour", "zh": "你好", "en": "Hello"])
        #expect(text.resolved(preferring: "fr")?.text == "Bonjour")
        #expect(text.resolved(preferring: "ru")?.text == "Hello")
        #expect(text.resolved(preferring: nil)?.language == "en")

        let noEnglish = LocalizedText(["zh": "你好", "fr": "Bonjour", "es": "Hola"])
        #expect(noEnglish.resolved(preferring: "ru")?.language == "es")
        #expect(noEnglish.resolved(preferring: "ru")?.text == "Hola")
        #expect(noEnglish.resolved(preferring: "zh")?.text == "你好")

        #expect(LocalizedText().resolved(preferring: "en") == nil)
    }

    @Test func resolvedMatchesThePrimaryLanguage() {
        let british = LocalizedText(["en-GB": "Colour", "fr": "Couleur"])
        #expect(british.resolved(preferring: "en")?.language == "en-GB")
        #expect(british.resolved(preferring: "ru")?.text == "Colour")
        let plain = LocalizedText(["en": "Color", "zh-Hant": "顏色"])
        #expect(plain.resolved(preferring: "en-US")?.language == "en")
        #expect(plain.resolved(preferring: "zh")?.text == "顏色")
        #expect(plain["zh-Hans"] == "顏色")
        #expect(plain["ar"] == nil)
    }

    @Test func localizedTextListsItsLanguagesSorted() {
        var text = LocalizedText()
        #expect(text.isEmpty)
        text.set("B", language: "zh")
        text.set("A", language: "ar")
        #expect(text.languages == ["ar", "zh"])
        #expect(!text.isEmpty)
    }

    // MARK: Kinds

    @Test(arguments: [
        ("Case study", RecordKind.caseStudy), ("best-practice", .bestPractice), ("Organisation", .organization),
        ("Good Practices", .bestPractice), ("request for assistance", .assistanceRequest), ("Course", .training),
    ])
    func looseKindNamesAreRecognised(name: String, kind: RecordKind) {
        #expect(RecordKind(looseName: name) == kind)
    }

    @Test func unrelatedWordsAreNoKind() {
        #expect(RecordKind(looseName: "Dataset") == nil)
        #expect(RecordKind(looseName: "") == nil)
    }

    @Test func recordFormatsComeFromExtensions() {
        #expect(RecordFormat(pathExtension: "JSON") == .json)
        #expect(RecordFormat(pathExtension: "ndjson") == .jsonLines)
        #expect(RecordFormat(pathExtension: "jsonl") == .jsonLines)
        #expect(RecordFormat(pathExtension: "xml") == .xml)
        #expect(RecordFormat(pathExtension: "txt") == nil)
    }
}
