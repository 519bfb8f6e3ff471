/// Running text in one language: titles, sentences and paragraphs of Zipf-distributed words.
public struct TextGenerator: Sendable {
    public let vocabulary: Vocabulary

    public init(language: String) {
        vocabulary = Vocabulary.forLanguage(language)
    }

    /// A title of `words` words (content words only, first letter upper case).
    public func title(words: Int, _ rng: inout SplitMix64) -> String {
        if vocabulary.isLogographic {
            return chineseRun(characters: words * 2, content: true, &rng)
        }
        var parts: [String] = []
        parts.reserveCapacity(words)
        while parts.count < words {
            // A function word now and then ("Restoration of coral reefs").
            if !parts.isEmpty, parts.count < words - 1, rng.chance(0.15) {
                parts.append(vocabulary.words[rng.int(in: 0...min(5, vocabulary.functionWordCount - 1))])
            } else {
                parts.append(vocabulary.contentWord(&rng))
            }
        }
        return capitalized(parts.joined(separator: " "))
    }

    /// Text of about `words` words, in sentences of 6 to 18 words.
    public func text(words: Int, _ rng: inout SplitMix64) -> String {
        if vocabulary.isLogographic {
            return chineseText(characters: words * 2, &rng)
        }
        var sentences: [String] = []
        var remaining = words
        while remaining > 0 {
            let length = min(remaining, rng.int(in: 6...18))
            sentences.append(sentence(words: max(length, 1), &rng))
            remaining -= length
        }
        return sentences.joined(separator: " ")
    }

    /// One sentence of about `words` words, ending with a full stop.
    public func sentence(words: Int, _ rng: inout SplitMix64) -> String {
        var parts: [String] = []
        parts.reserveCapacity(words)
        var count = 0
        while count < words {
            if count < words - 1, !vocabulary.collocations.isEmpty, rng.chance(0.02) {
                let collocation = rng.pick(vocabulary.collocations)
                parts.append(collocation)
                count += collocation.split(separator: " ").count
                continue
            }
            parts.append(vocabulary.word(&rng))
            count += 1
            if count > 3, count < words - 2, rng.chance(0.06) {
                parts[parts.count - 1] += ","
            }
        }
        return capitalized(parts.joined(separator: " ")) + "."
    }

    /// A keyword: one content word, or two.
    public func keyword(_ rng: inout SplitMix64) -> String {
        if vocabulary.isLogographic {
            return chineseRun(characters: rng.int(in: 2...4), content: true, &rng)
        }
        if !vocabulary.collocations.isEmpty, rng.chance(0.2) {
            return rng.pick(vocabulary.collocations)
        }
        if rng.chance(0.35) {
            return vocabulary.contentWord(&rng) + " " + vocabulary.contentWord(&rng)
        }
        return vocabulary.contentWord(&rng)
    }

    // MARK: - Chinese

    private func chineseRun(characters: Int, content: Bool, _ rng: inout SplitMix64) -> String {
        var text = ""
        for _ in 0..<characters {
            text += content ? vocabulary.contentWord(&rng) : vocabulary.word(&rng)
        }
        return text
    }

    private func chineseText(characters: Int, _ rng: inout SplitMix64) -> String {
        var text = ""
        var remaining = characters
        while remaining > 0 {
            let length = min(remaining, rng.int(in: 10...30))
            var written = 0
            while written < length {
                let clause = min(length - written, rng.int(in: 4...12))
                text += chineseRun(characters: clause, content: false, &rng)
                written += clause
                text += written < length ? "，" : "。"
            }
            remaining -= length
        }
        return text
    }

    private func capitalized(_ text: String) -> String {
        guard let first = text.first else { return text }
        return first.uppercased() + text.dropFirst()
    }
}
