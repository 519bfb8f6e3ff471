// Validation of parsed records against the record format (DESIGN.md section 2).
import Testing

@testable import ClearingHouse

@Suite struct RecordValidatorTests {
    // MARK: Required fields

    @Test(arguments: [
        ("id", #"{"kind": "technology", "title": "T"}"#, nil as String?),
        ("kind", #"{"id": "r1", "title": "T"}"#, "r1"),
        ("title", #"{"id": "r1", "kind": "technology"}"#, "r1"),
    ])
    func rejectsRecordWithoutRequiredField(field: String, json: String, recordID: String?) throws {
        let outcome = try validateRecord(json)
        #expect(outcome.record == nil)
        let error = try #require(outcome.errors.first)
        #expect(outcome.errors.count == 1)
        #expect(error.field == field)
        #expect(error.message == "missing required field")
        #expect(error.recordID == recordID)
        #expect(error.line == 1 && error.column == 1)
    }

    @Test(arguments: [#""   ""#, #""""#, #"{"en": ""}"#, #"{}"#])
    func rejectsEmptyTitle(title: String) throws {
        let outcome = try validateRecord(#"{"id": "r1", "kind": "technology", "title": \#(title)}"#)
        #expect(outcome.record == nil)
        #expect(outcome.errorFields == ["title"])
    }

    /// A required or optional field of the wrong type is one error, never that error and
    /// "missing" or "empty" besides.
    @Test(arguments: [
        (#""title": 5"#, "title", "expected a string or an object of language -> text, found a number"),
        (#""title": ["T"]"#, "title", "expected a string or an object of language -> text, found an array"),
        (#""title": null"#, "title", "expected a string or an object of language -> text, found null"),
        (#""title": {"en": 5}"#, "title.en", "expected a string, found a number"),
        (#""title": {"en": ["T"], "fr": ""}"#, "title.en", "expected a string, found an array"),
        (#""title": {"english!": "T"}"#, "title", #""english!" is not a valid BCP 47 language tag (use e.g. en, fr, zh, es-419)"#),
    ])
    func aTitleOfTheWrongTypeIsOneError(member: String, field: String, message: String) throws {
        let outcome = try validateRecord(#"{"id": "r1", "kind": "technology", \#(member)}"#)
        #expect(outcome.record == nil)
        #expect(outcome.errors.count == 1, "\(outcome.errors)")
        #expect(outcome.errors.first?.field == field)
        #expect(outcome.errors.first?.message == message)
        #expect(outcome.errors.first?.recordID == "r1")
    }

    @Test(arguments: [
        (#"{"id": 5, "kind": "technology", "title": "T"}"#, "id"),
        (#"{"id": "r1", "kind": 5, "title": "T"}"#, "kind"),
        (#"{"id": "r1", "kind": "technology", "title": "T", "language": 5}"#, "language"),
        (#"{"id": "r1", "kind": "technology", "title": "T", "summary": true}"#, "summary"),
        (#"{"id": "r1", "kind": "technology", "title": "T", "description": [1]}"#, "description"),
        (#"{"id": "r1", "kind": "technology", "title": "T", "keywords": {}}"#, "keywords"),
        (#"{"id": "r1", "kind": "technology", "title": "T", "countries": [5]}"#, "countries[0]"),
        (#"{"id": "r1", "kind": "technology", "title": "T", "organizations": 5}"#, "organizations"),
        (#"{"id": "r1", "kind": "technology", "title": "T", "organizations": [5]}"#, "organizations[0]"),
        (#"{"id": "r1", "kind": "technology", "title": "T", "organizations": [{"name": 5}]}"#, "organizations[0].name"),
        (#"{"id": "r1", "kind": "technology", "title": "T", "organizations": [{"name": "O", "url": 5}]}"#, "organizations[0].url"),
        (#"{"id": "r1", "kind": "technology", "title": "T", "links": [{"url": 5}]}"#, "links[0].url"),
        (#"{"id": "r1", "kind": "technology", "title": "T", "links": [{"url": "https://e.org", "title": 5}]}"#, "links[0].title"),
        (#"{"id": "r1", "kind": "technology", "title": "T", "published": 2019}"#, "published"),
        (#"{"id": "r1", "kind": "technology", "title": "T", "updated": 5}"#, "updated"),
        (#"{"id": "r1", "kind": "technology", "title": "T", "license": 5}"#, "license"),
        (#"{"id": "r1", "kind": "technology", "title": "T", "source": {"url": 5}}"#, "source.url"),
        (#"{"id": "r1", "kind": "technology", "title": "T", "related": [5]}"#, "related[0]"),
        (#"{"id": "r1", "kind": "technology", "title": "T", "extensions": 5}"#, "extensions"),
    ])
    func everyFieldOfTheWrongTypeIsOneError(json: String, field: String) throws {
        let outcome = try validateRecord(json)
        #expect(outcome.record == nil)
        #expect(outcome.errors.count == 1, "\(outcome.errors)")
        #expect(outcome.errors.first?.field == field)
        #expect(outcome.errors.first?.message.hasPrefix("expected ") == true, "\(outcome.errors)")
    }

    /// Maintainer QA: JSON kept `" marine "` as a theme of its own (two facet values, a filter
    /// that missed the record) and refused `" 2020"`, which XML reads trimmed. Codes and dates
    /// are read trimmed in every format; keywords keep their spaces, as in XML.
    @Test func codesAndDatesAreReadWithoutSurroundingSpaces() throws {
        let outcome = try validateRecord(
            #"{"id": "ws-1", "kind": "resource", "title": "T", "themes": [" marine "], "targets": ["GBF-T2\n"], "countries": [" ke"], "regions": ["East Africa "], "assistanceTypes": [" training"], "related": [" a-1 "], "published": " 2020", "updated": "2020-01-15T09:00:00Z ", "license": " CC-BY-4.0", "keywords": [" kw "]}"#
        )
        let record = try #require(outcome.record, "\(outcome.errors)")
        #expect(record.themes == ["marine"] && record.targets == ["GBF-T2"] && record.countries == ["KE"])
        #expect(record.regions == ["East Africa"] && record.assistanceTypes == ["training"] && record.related == ["a-1"])
        #expect(record.published == "2020" && record.updated == "2020-01-15T09:00:00Z" && record.license == "CC-BY-4.0")
        #expect(record.keywords == [" kw "])
    }

    /// Maintainer QA: `"published": null` was refused without saying what to write instead.
    @Test func aNullFieldIsToldToBeLeftOut() throws {
        let outcome = try validateRecord(#"{"id": "n-1", "kind": "resource", "title": "T", "published": null, "summary": null}"#)
        #expect(outcome.record == nil)
        #expect(outcome.errorFields == ["published", "summary"] || outcome.errorFields == ["summary", "published"], "\(outcome.errors)")
        #expect(outcome.errors.allSatisfy { $0.message.hasSuffix("found null; a field without a value is left out of the record, not given as null") }, "\(outcome.errors)")
    }

    @Test func rejectsARecordThatIsNotAnObject() throws {
        let outcome = try validateRecord(#"["id", "r1"]"#)
        #expect(outcome.record == nil)
        #expect(outcome.errors.first?.message == "expected a record object, found an array")
    }

    @Test func acceptsAMinimalRecord() throws {
        let record = try #require(try validateRecord(#"{"id": "r1", "kind": "caseStudy", "title": "T"}"#).record)
        #expect(record.id == "r1")
        #expect(record.kind == .caseStudy)
        #expect(record.language == "und")
        #expect(record.title.values == ["und": "T"])
        #expect(record.keywords.isEmpty && record.extensions.isEmpty && record.source == nil)
    }

    // MARK: kind

    @Test func unknownKindListsTheKinds() throws {
        let outcome = try validateRecord(#"{"id": "r1", "kind": "gadget", "title": "T"}"#)
        #expect(outcome.record == nil)
        let error = try #require(outcome.errors.first)
        #expect(error.field == "kind")
        #expect(error.message.contains("unknown kind \"gadget\""))
        for kind in RecordKind.allCases {
            #expect(error.message.contains(kind.rawValue))
        }
        #expect(
            error.message.contains(
                "technology, bestPractice, caseStudy, organization, assistanceRequest, training, funding, resource"
            )
        )
    }

    @Test func unknownKindSuggestsTheKindItResembles() throws {
        let outcome = try validateRecord(#"{"id": "r1", "kind": "Case study", "title": "T"}"#)
        #expect(outcome.record == nil)
        #expect(outcome.errors.first?.message.contains("did you mean \"caseStudy\"?") == true)
    }

    @Test func kindMustBeAString() throws {
        let outcome = try validateRecord(#"{"id": "r1", "kind": 3, "title": "T"}"#)
        #expect(outcome.errors.map(\.message) == ["expected a string, found a number"])
        #expect(outcome.errorFields == ["kind"])
    }

    // MARK: id

    /// Ids that are not URI text: each refused, with what is wrong and where.
    @Test(arguments: [
        ("a b", "white space (U+0020) at character 2"), ("a\\tb", "white space (U+0009) at character 2"),
        ("a\\u0001b", "a control character (U+0001) at character 2"), ("é", "\"é\" (U+00E9) at character 1 (outside ASCII"),
        ("", "cannot be empty"), (String(repeating: "a", count: 201), "201 bytes long; an id has at most 200"),
        ("a%2", "\"%\" at character 2 does not start a %XX escape"), ("100%", "\"%\" at character 4"),
        ("a%zz", "\"%\" at character 2"), ("a<b", "\"<\" (U+003C)"), ("a>b", "\">\""), ("a\\\"b", "(U+0022)"),
        ("a{b}", "\"{\""), ("a|b", "\"|\""), ("a\\\\b", "(U+005C)"), ("a^b", "\"^\""), ("a`b", "\"`\""),
        (".", "web addresses remove"), ("..", "cannot be \"..\""),
    ])
    func rejectsInvalidIDCharacters(id: String, problem: String) throws {
        let outcome = try validateRecord(#"{"id": "\#(id)", "kind": "technology", "title": "T"}"#)
        #expect(outcome.record == nil)
        #expect(outcome.errorFields == ["id"])
        #expect(outcome.errors.first?.recordID == nil)
        let message = try #require(outcome.errors.first?.message)
        #expect(message.contains(problem), "\(message)")
    }

    /// Every OAI-PMH identifier is an id: URI syntax, reserved characters and escapes included.
    @Test(arguments: [
        "A-z.0_9:x-y", "oai:repo.example.org:17", "x", "...", ".a", String(repeating: "a", count: 200), "hdl:1765/308",
        "oai:bnf.fr:gallica/ark:/12148/bpt6k5440618t", "oai:repo.example.org:10138/1074", "a/b", "a#1", "x%20y%C3%A9",
        "urn:x:a?b#c&d+e=f;g[1]@h!$'()*,~", "https://doi.org/10.5281/zenodo.15843210", "info:doi/10.1000/182",
    ])
    func acceptsValidIDs(id: String) throws {
        #expect(try validateRecord(recordJSON(id)).record?.id == id)
    }

    @Test func relatedHoldsIDsOfTheSameGrammar() throws {
        let outcome = try validateRecord(
            #"{"id": "r", "kind": "technology", "title": "T", "related": ["hdl:1765/308", "oai:x:1?a=b", "not an id"]}"#)
        #expect(outcome.errorFields == ["related[2]"])
        #expect(outcome.errors.first?.message.contains("white space (U+0020) at character 4") == true)
        let valid = try validateRecord(#"{"id": "r", "kind": "technology", "title": "T", "related": ["hdl:1765/308", "oai:x:1?a=b"]}"#)
        #expect(valid.record?.related == ["hdl:1765/308", "oai:x:1?a=b"])
    }

    @Test func idMustBeAString() throws {
        let outcome = try validateRecord(#"{"id": 17, "kind": "technology", "title": "T"}"#)
        #expect(outcome.errorFields == ["id"])
        #expect(outcome.errors.first?.message == "expected a string, found a number")
    }

    // MARK: countries

    @Test func storesCountriesUpperCase() throws {
        let record = try #require(try validateRecord(recordJSON("r1", #""countries": ["ke", "Tz", "BR"]"#)).record)
        #expect(record.countries == ["KE", "TZ", "BR"])
    }

    @Test(arguments: ["XX", "UK", "KEN", "k", "", "1A"])
    func rejectsInvalidCountry(code: String) throws {
        let outcome = try validateRecord(recordJSON("r1", #""countries": ["KE", "\#(code)"]"#))
        #expect(outcome.record == nil)
        #expect(outcome.errorFields == ["countries[1]"])
    }

    @Test func organizationCountryIsStoredUpperCase() throws {
        let json = recordJSON(
            "r1",
            #""organizations": [{"name": "Coast Trust", "role": "provider", "country": "ke", "url": "https://example.org"}]"#
        )
        let record = try #require(try validateRecord(json).record)
        #expect(
            record.organizations == [
                Record.Organization(name: "Coast Trust", role: "provider", country: "KE", url: "https://example.org")
            ]
        )
    }

    // MARK: Language tags

    @Test(arguments: [
        ("zh-hant-tw", "zh-Hant-TW"), ("EN-gb", "en-GB"), ("es-419", "es-419"), ("sr-latn-rs", "sr-Latn-RS"),
        ("x-private", "x-private"), ("de-ch-1996", "de-CH-1996"), ("en-us-x-twain", "en-US-x-twain"),
        ("zh-yue", "zh-yue"), ("und", "und"), ("AR", "ar"),
    ])
    func normalizesLanguageTags(input: String, expected: String) throws {
        #expect(LanguageTag.normalized(input) == expected)
        let record = try #require(
            try validateRecord(#"{"id": "r1", "kind": "technology", "language": "\#(input)", "title": "T"}"#).record
        )
        #expect(record.language == expected)
        #expect(record.title.values == [expected: "T"])
    }

    @Test(arguments: [
        "", "e", "en_GB", "en--gb", "123", "en-", "-en", "abcdefghi", "en-a", "en gb", "français",
        "zh-hant-tw-toolongsubtag",
    ])
    func rejectsInvalidLanguageTags(tag: String) throws {
        #expect(LanguageTag.normalized(tag) == nil)
        let outcome = try validateRecord(#"{"id": "r1", "kind": "technology", "language": "\#(tag)", "title": "T"}"#)
        #expect(outcome.record == nil)
        #expect(outcome.errorFields.contains("language"))
    }

    @Test func localizedTextKeysAreNormalizedAndValidated() throws {
        let record = try #require(
            try validateRecord(recordJSON("r1", #""summary": {"ZH-hant": "摘要", "en-gb": "Summary"}"#)).record
        )
        #expect(record.summary.values == ["zh-Hant": "摘要", "en-GB": "Summary"])

        let bad = try validateRecord(recordJSON("r2", #""summary": {"en_GB": "Summary"}"#))
        #expect(bad.record == nil)
        #expect(bad.errorFields == ["summary"])
    }

    @Test func sameLanguageTwiceIsAnError() throws {
        let outcome = try validateRecord(#"{"id": "r1", "kind": "technology", "title": {"en": "One", "EN": "Two"}}"#)
        #expect(outcome.record == nil)
        #expect(outcome.errors.first?.message == "language en is given twice")
    }

    @Test func plainStringTextGoesUnderTheRecordLanguage() throws {
        // `language` comes after the text in the file: the order of members must not matter.
        let json =
            #"{"id": "r1", "kind": "technology", "title": "Pépinières", "summary": "Résumé", "description": {"en": "Nurseries"}, "language": "FR"}"#
        let record = try #require(try validateRecord(json).record)
        #expect(record.language == "fr")
        #expect(record.title.values == ["fr": "Pépinières"])
        #expect(record.summary.values == ["fr": "Résumé"])
        #expect(record.description.values == ["en": "Nurseries"])
        #expect(record.textLanguages == ["en", "fr"])
    }

    @Test func plainStringTextWithoutLanguageGoesUnderUnd() throws {
        let record = try #require(
            try validateRecord(#"{"id": "r1", "kind": "technology", "title": "Nurseries"}"#).record
        )
        #expect(record.title.values == ["und": "Nurseries"])
    }

    // MARK: Dates

    @Test(arguments: ["2019", "2019-11", "2019-11-05", "2020-02-29", "2000-02-29", "2019-12-31"])
    func acceptsPublishedDates(date: String) throws {
        #expect(RecordDate.problemWithPublished(date) == nil)
        #expect(try validateRecord(recordJSON("r1", #""published": "\#(date)""#)).record?.published == date)
    }

    @Test(arguments: [
        "2019-13", "2019-02-30", "2019-00", "2021-02-29", "1900-02-29", "2019-04-31", "2019-1", "19", "2019-11-5",
        "2019/11", "2019-11-05T00:00:00Z", "", "abcd", "2019-11-05-01",
    ])
    func rejectsInvalidPublishedDates(date: String) throws {
        #expect(RecordDate.problemWithPublished(date) != nil)
        let outcome = try validateRecord(recordJSON("r1", #""published": "\#(date)""#))
        #expect(outcome.record == nil)
        #expect(outcome.errorFields == ["published"])
    }

    @Test(arguments: ["+201", "2019-+1", "2019-11-+5"])
    func rejectsSignedNumbersInPublishedDates(date: String) throws {
        // "YYYY-MM-DD" means digits only; Int("+1") parses, so a sign must be refused explicitly.
        #expect(RecordDate.problemWithPublished(date) != nil)
    }

    @Test func publishedDateErrorsSayWhatIsWrong() {
        #expect(RecordDate.problemWithPublished("2019-13") == "month 13 is out of range in \"2019-13\"")
        #expect(RecordDate.problemWithPublished("2019-02-30") == "day 30 does not exist in 2019-02")
    }

    @Test(arguments: [
        ("2020-01-15T09:00:00Z", 1_579_078_800.0),
        ("2020-01-15T11:00:00+02:00", 1_579_078_800.0),
        ("2020-01-15T03:30:00-05:30", 1_579_078_800.0),
        ("2020-01-15t09:00:00z", 1_579_078_800.0),
        ("2020-01-15T09:00:00.25Z", 1_579_078_800.25),
        ("1970-01-01T00:00:00Z", 0.0),
    ])
    func acceptsRFC3339UpdatedWithOffsets(text: String, seconds: Double) throws {
        #expect(RecordDate.secondsSinceEpoch(rfc3339: text) == seconds)
        #expect(try validateRecord(recordJSON("r1", #""updated": "\#(text)""#)).record?.updated == text)
    }

    @Test(arguments: [
        "2020-01-15", "2020-01-15T09:00:00", "2020-01-15T25:00:00Z", "2020-01-15T09:60:00Z", "2020-02-30T09:00:00Z",
        "2020-01-15T09:00:00+2:00", "2020-01-15T09:00:00+02:00x", "2020-01-15T09:00:00.Z", "2020-1-15T09:00:00Z",
    ])
    func rejectsInvalidUpdated(text: String) throws {
        #expect(RecordDate.secondsSinceEpoch(rfc3339: text) == nil)
        let outcome = try validateRecord(recordJSON("r1", #""updated": "\#(text)""#))
        #expect(outcome.record == nil)
        #expect(outcome.errorFields == ["updated"])
    }

    @Test func formatsSecondsAsRFC3339() {
        #expect(RecordDate.rfc3339(secondsSinceEpoch: 1_579_078_800) == "2020-01-15T09:00:00Z")
        #expect(RecordDate.rfc3339(secondsSinceEpoch: 0) == "1970-01-01T00:00:00Z")
        #expect(RecordDate.rfc3339(secondsSinceEpoch: 951_782_400) == "2000-02-29T00:00:00Z")
    }

    // MARK: Unknown fields

    @Test func unknownFieldIsAWarningAndKeptUnderExtensions() throws {
        let json = """
            {
              "id": "r1",
              "kind": "technology",
              "title": "T",
              "colour": {"b": 1.50, "a": [true]}
            }
            """
        let outcome = try validateRecord(json)
        let record = try #require(outcome.record)
        #expect(outcome.errors.isEmpty)
        let warning = try #require(outcome.warnings.first)
        #expect(outcome.warnings.count == 1)
        #expect(warning.field == "colour")
        #expect(warning.line == 5 && warning.column == 3)
        #expect(
            warning.description == "r.json:5:3: warning: record r1: field colour: unknown field; kept under extensions"
        )
        #expect(record.extensions["colour"] == .object([("b", .number("1.50")), ("a", .array([.bool(true)]))]))
        #expect(record.canonicalJSONText.hasSuffix(#","extensions":{"colour":{"a":[true],"b":1.50}}}"#))
    }

    @Test func strictMakesAnUnknownFieldAnError() throws {
        let outcome = try validateRecord(recordJSON("r1", #""colour": "red""#), strict: true)
        #expect(outcome.record == nil)
        let error = try #require(outcome.errors.first)
        #expect(error.field == "colour")
        #expect(error.message == "unknown field (not allowed with --strict)")
    }

    @Test func strictMakesAnUnknownNestedFieldAnError() throws {
        let json = recordJSON("r1", #""links": [{"url": "https://example.org", "colour": "red"}]"#)
        let lenient = try validateRecord(json)
        #expect(lenient.record != nil)
        #expect(lenient.warnings.map(\.field) == ["links[0].colour"])
        let strict = try validateRecord(json, strict: true)
        #expect(strict.record == nil)
        #expect(strict.errorFields == ["links[0].colour"])
    }

    @Test func strictOptionReachesValidationThroughThePublicAPI() throws {
        try withTemporaryDirectory { directory in
            let path = try directory.write("extra.json", recordJSON("r1", #""colour": "red""#))
            let lenient = try ClearingHouse.validate([path])
            #expect(lenient.succeeded && lenient.warnings == 1 && lenient.errors == 0)
            let strict = try ClearingHouse.validate([path], options: IngestOptions(strict: true))
            #expect(!strict.succeeded && strict.errors == 1 && strict.rejected == 1)
        }
    }

    @Test func explicitExtensionsAreKeptVerbatimAndMustBeAnObject() throws {
        let record = try #require(
            try validateRecord(recordJSON("r1", #""extensions": {"z": null, "price": 1.50}"#)).record
        )
        #expect(record.extensions == ["z": .null, "price": .number("1.50")])
        let outcome = try validateRecord(recordJSON("r2", #""extensions": [1]"#))
        #expect(outcome.errorFields == ["extensions"])
    }

    // MARK: Other fields

    @Test func readsEveryField() throws {
        let json = """
            {"id": "r1", "kind": "training", "language": "en", "title": "T", "summary": "S", "description": {"fr": "D"},
             "keywords": ["k1", "k2"], "themes": ["th"], "targets": ["GBF-T2", "SDG-15"], "countries": ["ke"],
             "regions": ["East Africa"], "assistanceTypes": ["training"],
             "organizations": [{"name": "Org"}],
             "links": [{"url": "https://example.org/g", "title": "Guide", "language": "FR"}],
             "published": "2019-11", "updated": "2020-01-15T09:00:00Z", "license": "CC-BY-4.0",
             "source": {"system": "s", "url": "https://example.org/r/17", "originalId": "17"},
             "related": ["r2", "r3"]}
            """
        let outcome = try validateRecord(json)
        #expect(outcome.diagnostics.isEmpty)
        let record = try #require(outcome.record)
        #expect(record.kind == .training)
        #expect(record.summary.values == ["en": "S"])
        #expect(record.description.values == ["fr": "D"])
        #expect(record.keywords == ["k1", "k2"])
        #expect(record.themes == ["th"])
        #expect(record.targets == ["GBF-T2", "SDG-15"])
        #expect(record.countries == ["KE"])
        #expect(record.regions == ["East Africa"])
        #expect(record.assistanceTypes == ["training"])
        #expect(record.organizations == [Record.Organization(name: "Org")])
        #expect(record.links == [Record.Link(url: "https://example.org/g", title: "Guide", language: "fr")])
        #expect(record.published == "2019-11")
        #expect(record.updated == "2020-01-15T09:00:00Z")
        #expect(record.license == "CC-BY-4.0")
        #expect(record.source == Record.Source(system: "s", url: "https://example.org/r/17", originalId: "17"))
        #expect(record.related == ["r2", "r3"])
    }

    @Test(arguments: [
        (#""keywords": "mangrove""#, "keywords"),
        (#""keywords": ["a", 3]"#, "keywords[1]"),
        (#""themes": ["a", "  "]"#, "themes[1]"),
        (#""organizations": [{"role": "provider"}]"#, "organizations[0].name"),
        (#""organizations": [{"name": "O", "url": "example.org"}]"#, "organizations[0].url"),
        (#""organizations": [{"name": "O", "country": "XX"}]"#, "organizations[0].country"),
        (#""links": [{"title": "no url"}]"#, "links[0].url"),
        (#""links": [{"url": "https://example.org", "language": "en_GB"}]"#, "links[0].language"),
        (#""links": [{"url": "not a url"}]"#, "links[0].url"),
        (#""source": {"url": "relative/path"}"#, "source.url"),
        (#""source": "somewhere""#, "source"),
        (#""related": ["ok-id", "bad id"]"#, "related[1]"),
        (#""license": """#, "license"),
        (#""summary": {"en": 1}"#, "summary.en"),
        (#""summary": 5"#, "summary"),
    ])
    func rejectsMalformedField(member: String, field: String) throws {
        let json = #"{"id": "r1", "kind": "technology", "title": "T", \#(member)}"#
        let outcome = try validateRecord(json)
        #expect(outcome.record == nil)
        #expect(outcome.errorFields == [field])
        #expect(outcome.errors.first?.recordID == "r1")
    }

    @Test func errorsNameTheIndexOfTheOffendingElement() throws {
        // A blank first element is one error; the invalid second element is another, and it
        // must be named by its own index and position, not by the index among the survivors.
        let json =
            #"{"id": "r1", "kind": "technology", "title": "T", "countries": [" ", "ZZ"], "related": ["", "bad id"]}"#
        let outcome = try validateRecord(json)
        #expect(outcome.errorFields == ["countries[0]", "countries[1]", "related[0]", "related[1]"])
        let zz = try #require(outcome.errors.first { $0.message.contains("\"ZZ\"") })
        #expect(zz.column == 69)
    }

    @Test func emptySourceIsLeftOut() throws {
        let record = try #require(try validateRecord(recordJSON("r1", #""source": {}"#)).record)
        #expect(record.source == nil)
    }

    // MARK: Diagnostics

    @Test func diagnosticNamesFileLineColumnRecordAndField() throws {
        let json = """
            {
              "id": "x",
              "kind": "technology",
              "title": "T",
              "countries": ["KE", "ZZ"]
            }
            """
        let outcome = try validateRecord(json)
        #expect(
            outcome.diagnostics.map(\.description) == [
                "r.json:5:23: error: record x: field countries[1]: \"ZZ\" is not an ISO 3166-1 alpha-2 country code"
            ]
        )
    }

    /// A value in a message cannot break the one line per problem, nor drive a terminal.
    @Test func diagnosticDescriptionIsOneLineWhateverTheInput() {
        let forged = Diagnostic(
            .error, file: "e.json", line: 1, column: 126, recordID: "t-1\u{0}", field: "countries[0]",
            message: "\"\u{1B}[2J\u{1B}[31mPWNED\nfake.json:1:1: error: forged\" is not an ISO 3166-1 alpha-2 country code")
        #expect(
            forged.description
                == #"e.json:1:126: error: record t-1\u{0}: field countries[0]: "\u{1B}[2J\u{1B}[31mPWNED\nfake.json:1:1: error: forged" is not an ISO 3166-1 alpha-2 country code"#
        )
        #expect(!forged.description.contains("\n") && forged.message.contains("\n"))
        #expect(Diagnostic(.error, file: "a\u{2028}b", message: "tab\there\u{85}").description == #"a\u{2028}b: error: tab\there\u{85}"#)
    }

    @Test func diagnosticDescriptionLeavesOutWhatIsUnknown() {
        #expect(Diagnostic(.error, file: "f.json", line: 3, message: "m").description == "f.json:3: error: m")
        // Bidirectional controls would reorder the rest of the line on a terminal.
        #expect(
            Diagnostic(.error, file: "f.json", line: 1, recordID: "\u{202E}evil", message: "invalid id \"\u{2067}x\"").description
                == #"f.json:1: error: record \u{202E}evil: invalid id "\u{2067}x""#)
        #expect(Diagnostic(.warning, file: "f.json", message: "m").description == "f.json: warning: m")
        #expect(
            Diagnostic(.notice, file: "f.xml", line: 9, recordID: "r", field: "updated", message: "m").description
                == "f.xml:9: notice: record r: field updated: m"
        )
        #expect(
            Diagnostic(.error, file: "f.json", line: 3, column: 7, recordID: "r", field: "id", message: "m").description
                == "f.json:3:7: error: record r: field id: m"
        )
    }

    @Test func everyErrorInARecordIsReported() throws {
        let json = #"{"id": "r1", "kind": "gadget", "title": "", "countries": ["XX"], "published": "2019-13"}"#
        let outcome = try validateRecord(json)
        #expect(Set(outcome.errorFields) == ["kind", "title", "countries[0]", "published"])
        #expect(outcome.errors.allSatisfy { $0.recordID == "r1" && $0.file == "r.json" && $0.line == 1 })
    }
}
