// Normalization of the text of one token: NFKC, lower case, final-sigma folding.
// Only the Foundation call for NFKC lives here; analyzers call it only when a token holds a
// scalar that NFKC might change, so plain ASCII and most European words never reach it.

import Foundation

/// Turns the text of one token into its indexed form.
///
/// The steps, in order:
/// 1. drop default-ignorable scalars that carry no letter (format characters such as the soft
///    hyphen, ZWJ and ZWNJ; variation selectors);
/// 2. NFKC (full-width forms, ligatures, compatibility ideographs, half-width kana);
/// 3. split where NFKC brought in something that is not part of a word (the spaces of `ﷺ`,
///    the fraction slash of `½`) and drop it (the parentheses of `⑴`); `.` and `,` stay only
///    between digits;
/// 4. Unicode lower case, then the final sigma `ς` as `σ` (as Unicode case folding does), so
///    that `ΟΔΟΣ` and `οδος` give the same term.
///
/// Diacritics are kept: folding them is language-specific and left to language analyzers.
enum TextNormalizer {
    /// The normalized words of `text`: all four steps. Almost always one word; none if `text`
    /// holds no letter or digit, several if NFKC turns one character into several words.
    static func normalizedWords(_ text: String) -> [String] {
        var kept = String.UnicodeScalarView()
        for scalar in text.unicodeScalars where !isIgnorable(scalar.value) {
            kept.append(scalar)
        }
        let composed = String(kept).precomposedStringWithCompatibilityMapping
        return splittingIntoWords(composed).map { foldingFinalSigma($0.lowercased()) }
    }

    /// The normalized words of `text` joined by spaces (used for stop words, which are single
    /// words, so that they compare equal to the terms of the text).
    static func normalize(_ text: String) -> String {
        normalizedWords(text).joined(separator: " ")
    }

    /// `bytes`, which must be ASCII, in lower case.
    static func lowercasedASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(unsafeUninitializedCapacity: bytes.count) { output in
            for index in 0..<bytes.count {
                let byte = bytes[index]
                // `&-` wraps bytes below "A" to large values, so one comparison covers A...Z.
                output[index] = byte &- 0x41 < 26 ? byte | 0x20 : byte
            }
            return bytes.count
        }
    }

    /// `text` in lower case without NFKC, for tokens made only of scalars that NFKC leaves
    /// unchanged (see ``isStableUnderNFKC(_:)``).
    ///
    /// - Parameters:
    ///   - mayChange: Whether some scalar of `text` may have a lower-case mapping (see
    ///     ``mayChangeWhenLowercased(_:)``); if not, lower-casing is skipped.
    ///   - containsFinalSigma: Whether `text` holds `ς` (lower case never brings one in).
    static func lowercasedStable(_ text: String, mayChange: Bool, containsFinalSigma: Bool) -> String {
        let lower = mayChange ? text.lowercased() : text
        return containsFinalSigma ? foldingFinalSigma(lower) : lower
    }

    /// Whether the non-ASCII scalar `value`, one of the scalars of ``isStableUnderNFKC(_:)``, may
    /// change when lower-cased. False only where that is sure (lower-case letters, scripts
    /// without case), so that words such as `forêt` or `лесной` skip lower-casing.
    static func mayChangeWhenLowercased(_ value: UInt32) -> Bool {
        switch value {
        // Latin-1 upper case; Latin Extended-A/B and Additional, where cases alternate.
        case 0x00C0...0x00DE, 0x0100...0x024F, 0x1E00...0x1EFF:
            true
        // Greek upper case and the mixed blocks around the basic letters.
        case 0x0370...0x03AB, 0x03CF...0x03FF, 0x1F00...0x1FFF:
            true
        // Cyrillic upper case and the mixed Cyrillic blocks; Armenian upper case.
        case 0x0400...0x042F, 0x0460...0x052F, 0x0531...0x0556:
            true
        default:
            false
        }
    }

    /// Whether `value` is a scalar that ignorable-stripping and NFKC leave unchanged, alone or
    /// next to other such scalars (none of them is a combining mark or a conjoining jamo, the
    /// only scalars that compose with a preceding one).
    ///
    /// The list is deliberately short: the letters of the scripts our corpus is written in.
    /// Anything not listed takes the slow path through Foundation, which is always correct.
    static func isStableUnderNFKC(_ value: UInt32) -> Bool {
        // Cases are tried in order: the scripts with the most scalars per token first.
        switch value {
        // Han (unified ideographs and extensions; not the compatibility ideographs), kana,
        // Hangul syllables.
        case 0x3005...0x3007, 0x3041...0x3096, 0x309D...0x309E, 0x30A1...0x30FA, 0x30FC...0x30FE,
            0x3400...0x4DBF, 0x4E00...0x9FFF, 0xAC00...0xD7A3, 0x20000...0x2A6DF, 0x2A700...0x2EE5F,
            0x30000...0x323AF:
            true
        // Latin-1 letters, Latin Extended-A/B, without the compatibility ligatures
        // (Ĳ ĳ Ŀ ŀ ŉ ſ, Ǆ…ǌ, Ǳ ǲ ǳ).
        case 0x00C0...0x00D6, 0x00D8...0x00F6, 0x00F8...0x0131, 0x0134...0x013E, 0x0141...0x0148,
            0x014A...0x017E, 0x0180...0x01C3, 0x01CD...0x01F0, 0x01F4...0x024F:
            true
        // Latin Extended Additional (Vietnamese), without ẚ and ẛ.
        case 0x1E00...0x1E99, 0x1E9C...0x1EFF:
            true
        // Greek letters with and without tonos, Cyrillic, Armenian, Hebrew letters.
        case 0x0386, 0x0388...0x038A, 0x038C, 0x038E...0x03A1, 0x03A3...0x03CE, 0x0400...0x0482,
            0x048A...0x052F, 0x0531...0x0556, 0x0561...0x0586, 0x05D0...0x05EA:
            true
        // Arabic letters and digits, without the compatibility forms ٵ…ٸ.
        case 0x0620...0x064A, 0x0660...0x0669, 0x066E...0x066F, 0x0671...0x0674, 0x0679...0x06D3, 0x06D5,
            0x06EE...0x06FC, 0x06FF:
            true
        default:
            false
        }
    }

    /// Whether `value` is dropped from terms: format characters (soft hyphen, ZWJ, ZWNJ, word
    /// joiner, BOM…) and variation selectors, which change neither the word nor its meaning.
    static func isIgnorable(_ value: UInt32) -> Bool {
        switch value {
        case 0x0000...0x007F:
            return false
        case 0x180B...0x180F, 0xFE00...0xFE0F, 0xE0100...0xE01EF:
            return true
        default:
            return Unicode.Scalar(value)?.properties.generalCategory == .format
        }
    }

    /// The words of `text`, split at the scalars that cannot be part of a word; `.`, `,` and
    /// their full-width and Arabic forms stay between two digits.
    private static func splittingIntoWords(_ text: String) -> [String] {
        let scalars = text.unicodeScalars
        if !scalars.isEmpty, scalars.allSatisfy({ ScalarClass($0.value).isWordPart }) { return [text] }

        let classes = scalars.map { ScalarClass($0.value) }
        var words: [String] = []
        var word = String.UnicodeScalarView()
        for (index, scalar) in zip(classes.indices, scalars) {
            switch classes[index] {
            case .letter, .digit, .ideograph, .mark:
                word.append(scalar)
                continue
            case .numberSeparator:
                if index > 0, classes[index - 1] == .digit, index + 1 < classes.count,
                    classes[index + 1] == .digit
                {
                    word.append(scalar)
                    continue
                }
            case .apostrophe, .format, .separator:
                break
            }
            if !word.isEmpty {
                words.append(String(word))
                word = String.UnicodeScalarView()
            }
        }
        if !word.isEmpty { words.append(String(word)) }
        return words
    }

    /// `text` with the final sigma `ς` replaced by `σ`.
    private static func foldingFinalSigma(_ text: String) -> String {
        let finalSigma: Unicode.Scalar = "\u{03C2}"
        guard text.unicodeScalars.contains(finalSigma) else { return text }
        var folded = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            folded.append(scalar == finalSigma ? "\u{03C3}" : scalar)
        }
        return String(folded)
    }
}
