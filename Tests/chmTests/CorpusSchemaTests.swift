import CLibXML2
import Foundation
import Testing

/// The shipped Corpus agrees with the shipped schemas.
@Suite("Corpus and schemas")
struct CorpusSchemaTests {
    static let corpus = CLI.packageRoot.appendingPathComponent("Corpus")

    /// Every native-format XML file under Corpus/ (root in urn:chm:records:1).
    static var nativeXMLFiles: [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: corpus.path) else { return [] }
        return enumerator.compactMap { $0 as? String }.filter { $0.hasSuffix(".xml") }.sorted().filter { file in
            let text = (try? String(contentsOf: corpus.appendingPathComponent(file), encoding: .utf8)) ?? ""
            return text.contains("xmlns=\"urn:chm:records:1\"")
        }
    }

    @Test func corpusHasNativeXMLFiles() {
        #expect(Self.nativeXMLFiles.count >= 2)
    }

    @Test(arguments: nativeXMLFiles)
    func nativeXMLFileValidatesAgainstTheXSD(_ file: String) throws {
        let schemaPath = Self.corpus.appendingPathComponent("schema/records.xsd").path
        let parserContext = try #require(xmlSchemaNewParserCtxt(schemaPath))
        defer { xmlSchemaFreeParserCtxt(parserContext) }
        let schema = try #require(xmlSchemaParse(parserContext), "records.xsd does not compile")
        defer { xmlSchemaFree(schema) }
        let validation = try #require(xmlSchemaNewValidCtxt(schema))
        defer { xmlSchemaFreeValidCtxt(validation) }
        let path = Self.corpus.appendingPathComponent(file).path
        let status = xmlSchemaValidateFile(validation, path, Int32(XML_PARSE_NONET.rawValue))
        #expect(status == 0, "\(file) does not validate against records.xsd")
    }

    @Test func schemaRejectsARecordWithoutTitle() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(
            "bad.xml", #"<records xmlns="urn:chm:records:1"><record id="x" kind="technology"/></records>"#)
        let schemaPath = Self.corpus.appendingPathComponent("schema/records.xsd").path
        let parserContext = try #require(xmlSchemaNewParserCtxt(schemaPath))
        defer { xmlSchemaFreeParserCtxt(parserContext) }
        let schema = try #require(xmlSchemaParse(parserContext))
        defer { xmlSchemaFree(schema) }
        let validation = try #require(xmlSchemaNewValidCtxt(schema))
        defer { xmlSchemaFreeValidCtxt(validation) }
        // Silence libxml2's default error printing for the expected failure.
        xmlSchemaSetValidStructuredErrors(validation, { _, _ in }, nil)
        #expect(xmlSchemaValidateFile(validation, path, 0) != 0)
    }

    @Test func jsonSchemaIsValidJSONAndRequiresIdKindTitle() throws {
        let data = try Data(contentsOf: Self.corpus.appendingPathComponent("schema/record.schema.json"))
        let schema = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let required = try #require(schema["required"] as? [String])
        #expect(Set(required) == ["id", "kind", "title"])
    }
}
