// Word forms: the words of a segment's text as written (lower-cased and normalized, before
// stemming and diacritic folding) that differ from the terms they are indexed under, so that a
// prefix query can match `pollinat*` against `pollinators` although the term is `pollin`, and
// completions can offer words rather than stems. They are a second block dictionary in the
// segment (`BlockDictionary.swift`), keyed like the term dictionary (field, then the form's
// UTF-8), whose entries hold terms instead of postings metadata.
import Synchronization

/// The data of a word-form dictionary entry, after its key (field + form):
///
///     varint  termCount << 1 | stem-only mark
///     per term, in byte order: varint bytes shared with the form, varint suffix length, suffix
///
/// The terms are those the word is indexed under in its field (usually one: its stem; two when
/// the analyzer gives an alternative, such as the stem of the unaccented spelling); none equals
/// the form, since a word indexed as itself needs no entry. The **stem-only mark** says that
/// the key's bytes, as a term of the field, occur in the segment only as the stem of other
/// words (`pollin`, `restaur`): no document has that term as a word of its own. Completions
/// leave such terms out; a term without the mark that is its own word (`forest`, a CJK bigram)
/// is offered as it is. An entry may have the mark and no terms.
enum WordFormFormat {
    /// More terms than this for one form is damage (an analyzer gives two or three).
    static let maximumTerms = 1024

    /// Appends the data of an entry for `form` (UTF-8) to `writer`.
    static func write<Bytes: Collection>(terms: [[UInt8]], isStemOnly: Bool, form: Bytes, into writer: inout ByteWriter)
    where Bytes.Element == UInt8 {
        writer.varint(terms.count << 1 | (isStemOnly ? 1 : 0))
        for term in terms {
            let shared = zip(form, term).prefix { $0 == $1 }.count
            writer.varint(shared)
            writer.varint(term.count - shared)
            writer.bytes.append(contentsOf: term[shared...])
        }
    }
}

/// A word-form dictionary entry as read: where its terms are (decoded on demand, so that a walk
/// passing over entries allocates nothing), how many, and the stem-only mark.
struct WordFormEntry: Hashable {
    /// Where the entry's terms start in the dictionary's blocks.
    let termsOffset: Int
    let termCount: Int
    /// The key's bytes, as a term of the field, are only ever a stem (see ``WordFormFormat``).
    let isStemOnly: Bool
}

/// Reads a ``WordFormEntry`` after its key, checking that its terms are well formed.
struct WordFormDecoder: DictionaryEntryDecoder {
    @inline(__always)
    func read(_ reader: inout ByteReader, key: [UInt8]) -> WordFormEntry? {
        let header = reader.varintInt()
        guard reader.isValid, key.count >= 2, header >= 0 else { return nil }
        let count = header >> 1
        guard count <= WordFormFormat.maximumTerms else { return nil }
        let offset = reader.offset
        for _ in 0..<count {
            let shared = reader.varintInt()
            let suffix = reader.varintInt()
            guard reader.isValid, shared >= 0, shared <= key.count - 2, suffix >= 0 else { return nil }
            _ = reader.bytes(suffix)
        }
        guard reader.isValid else { return nil }
        return WordFormEntry(termsOffset: offset, termCount: count, isStemOnly: header & 1 == 1)
    }
}

extension SegmentReader {
    /// The word-form dictionary, its sparse index verified and decoded when first asked for
    /// (searches without prefixes never load it). Empty for segments without word forms.
    /// - Throws: ``IndexError`` with code `corrupt` when the index section is damaged.
    func wordFormDictionary() throws(IndexError) -> BlockDictionary {
        if let loaded = wordFormState.withLock({ $0 }) { return loaded }
        guard let index = file.verifiedSection(.formIndex) else { throw damagedWordForms() }
        // (No section: a segment without word forms.)
        guard let dictionary = index.isEmpty ? .empty : BlockDictionary(index: index, blocks: file.section(.formBlocks)) else {
            throw damagedWordForms()
        }
        wordFormState.withLock { $0 = dictionary }
        return dictionary
    }

    func damagedWordForms() -> IndexError {
        IndexError(.corrupt, "segment \(name) is damaged (word forms)")
    }

    /// A cursor over the word-form dictionary, before its first entry.
    func wordFormCursor() throws(IndexError) -> DictionaryCursor<WordFormDecoder> {
        DictionaryCursor(try wordFormDictionary(), decoder: WordFormDecoder())
    }

    /// The terms of `entry`, whose key is `key` (field + form), as UTF-8 bytes.
    func wordFormTerms(_ entry: WordFormEntry, key: [UInt8], dictionary: BlockDictionary) -> [[UInt8]] {
        var reader = ByteReader(dictionary.blocks, offset: entry.termsOffset)
        var terms: [[UInt8]] = []
        terms.reserveCapacity(entry.termCount)
        for _ in 0..<entry.termCount {
            let shared = reader.varintInt()
            let suffix = reader.bytes(reader.varintInt())
            // (Checked when the entry was read.)
            guard reader.isValid, shared >= 0, shared + 2 <= key.count else { break }
            terms.append(Array(key[2..<2 + shared]) + Array(suffix))
        }
        return terms
    }

    /// Calls `body` with the key (field + form) and entry of each word form of text field
    /// `field` that starts with `prefix` (UTF-8), in form order, until it returns false. Reads
    /// the forms of the prefix only: one block found through the sparse index, then the range.
    /// - Throws: ``IndexError`` with code `corrupt` when the dictionary is damaged.
    func forEachWordForm(
        field: Int, prefix: [UInt8], _ body: (_ key: [UInt8], _ entry: WordFormEntry, _ dictionary: BlockDictionary) -> Bool
    ) throws(IndexError) {
        guard field >= 0, field < 65_536 else { return }
        var cursor = try wordFormCursor()
        guard !cursor.dictionary.indexKeys.isEmpty else { return }
        let start = [UInt8(field >> 8), UInt8(field & 0xFF)] + prefix
        cursor.seek(to: start)
        while let entry = cursor.entry, cursor.key.starts(with: start) {
            if !body(cursor.key, entry, cursor.dictionary) { return }
            cursor.advance()
        }
        if cursor.isDamaged { throw damagedWordForms() }
    }

    /// The word forms of text field `field` that start with `prefix`, in form order, each with
    /// a term it is indexed under (a form indexed under two terms gives two pairs, in term
    /// order); at most `limit` pairs. Forms are words as written, lower-cased and normalized
    /// but not stemmed (``Token/form``); `prefix` must be normalized the same way
    /// (``Analyzer/normalizedWord(_:)``). A word indexed as itself has no form: its term is
    /// in the term dictionary.
    /// - Throws: ``IndexError`` with code `corrupt` when the word-form dictionary is damaged.
    func wordForms(field: Int, prefix: String, limit: Int = .max) throws(IndexError) -> [(form: String, term: String)] {
        var results: [(form: String, term: String)] = []
        guard limit > 0 else { return results }
        try forEachWordForm(field: field, prefix: Array(prefix.utf8)) { key, entry, dictionary in
            let form = String(decoding: key[2...], as: UTF8.self)
            for term in wordFormTerms(entry, key: key, dictionary: dictionary) {
                results.append((form, String(decoding: term, as: UTF8.self)))
                if results.count >= limit { return false }
            }
            return true
        }
        return results
    }

    /// The word forms of text field `field` that `automaton` accepts, with their distance to
    /// its word and each term they are indexed under, in form order (at most `limit` pairs):
    /// the walk of ``terms(field:within:limit:)`` over the word-form dictionary.
    /// - Throws: ``IndexError`` with code `corrupt` when the word-form dictionary is damaged.
    func wordForms(field: Int, within automaton: LevenshteinAutomaton, limit: Int = .max) throws(IndexError)
        -> [(form: String, distance: Int, term: String)]
    {
        var statistics = DictionaryWalkStatistics()
        return try wordForms(field: field, within: automaton, limit: limit, statistics: &statistics)
    }

    /// ``wordForms(field:within:limit:)``, adding what the walk read to `statistics`.
    func wordForms(
        field: Int, within automaton: LevenshteinAutomaton, limit: Int = .max, statistics: inout DictionaryWalkStatistics
    ) throws(IndexError) -> [(form: String, distance: Int, term: String)] {
        var results: [(form: String, distance: Int, term: String)] = []
        guard limit > 0 else { return results }
        var cursor = try wordFormCursor()
        let dictionary = cursor.dictionary
        Self.walk(&cursor, field: field, within: automaton, statistics: &statistics) { key, distance, entry in
            let form = String(decoding: key[2...], as: UTF8.self)
            for term in wordFormTerms(entry, key: key, dictionary: dictionary) {
                results.append((form, distance, String(decoding: term, as: UTF8.self)))
                if results.count >= limit { return false }
            }
            return true
        }
        if cursor.isDamaged { throw damagedWordForms() }
        return results
    }
}
