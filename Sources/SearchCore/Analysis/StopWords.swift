// Stop-word lists of the six UN languages, compiled for this library from the grammar of each
// language (articles, pronouns, prepositions, conjunctions, auxiliaries, particles, negation).

/// Stop words of the six UN languages: function words that carry little meaning for search.
/// Our own lists, compiled from the grammar of each language. Words are lower-case and in
/// their written form; analyzers normalize them the same way as the text (so Arabic entries
/// may carry hamza on alef etc.).
///
/// The lists are kept moderate: only words whose job is grammatical, never words that can
/// carry the topic of a document. A few function words are deliberately left out because
/// their lower-case form collides with a frequent acronym of international texts: English
/// `who` (WHO) and `us` (US).
public enum StopWords {
    /// English: articles, personal, possessive, reflexive, demonstrative and interrogative
    /// pronouns, forms of *be*, *have* and *do*, modal verbs, prepositions, conjunctions,
    /// negation and a few degree and focus adverbs.
    public static let english: Set<String> = [
        // Articles and determiners.
        "a", "an", "the", "this", "that", "these", "those", "each", "every", "either", "neither",
        "both", "all", "any", "some", "such", "other",
        // Personal, possessive and reflexive pronouns.
        "i", "me", "my", "mine", "myself", "we", "our", "ours", "ourselves",
        "you", "your", "yours", "yourself", "yourselves", "he", "him", "his", "himself",
        "she", "her", "hers", "herself", "it", "its", "itself",
        "they", "them", "their", "theirs", "themselves",
        // Relative and interrogative words.
        "whom", "whose", "which", "what", "where", "when", "why", "how",
        // Be, have, do.
        "am", "is", "are", "was", "were", "be", "been", "being",
        "have", "has", "had", "do", "does", "did",
        // Modal verbs.
        "can", "could", "may", "might", "must", "shall", "should", "will", "would",
        // Prepositions.
        "of", "in", "on", "at", "by", "for", "with", "from", "to", "into", "upon",
        "about", "over", "under", "between", "among", "through", "during", "before", "after",
        "above", "below", "against", "within", "without",
        // Conjunctions.
        "and", "or", "but", "nor", "so", "yet", "if", "then", "because", "as", "while", "than",
        "although", "though", "unless", "until",
        // Negation, adverbs and particles.
        "not", "no", "too", "very", "there", "here", "also", "only", "just", "more",
    ]

    /// French: articles and their contractions with *à* and *de*, elided forms (the tokenizer
    /// splits `l'eau` into `l` and `eau`), personal, possessive, demonstrative and relative
    /// pronouns, forms of *être* and *avoir*, prepositions, conjunctions and negation.
    public static let french: Set<String> = [
        // Articles and contractions.
        "le", "la", "les", "un", "une", "des", "du", "au", "aux", "de",
        // Elided forms.
        "l", "d", "j", "m", "n", "s", "t", "qu", "c", "jusqu", "lorsqu", "puisqu",
        // Personal pronouns.
        "je", "tu", "il", "elle", "on", "nous", "vous", "ils", "elles", "me", "te", "se",
        "moi", "toi", "lui", "leur", "leurs", "eux", "y", "en",
        // Possessive determiners.
        "mon", "ma", "mes", "ton", "ta", "tes", "son", "sa", "ses", "notre", "nos", "votre", "vos",
        // Demonstratives.
        "ce", "cet", "cette", "ces", "cela", "ça", "celui", "celle", "ceux", "celles",
        // Relative and interrogative pronouns.
        "qui", "que", "quoi", "dont", "où", "lequel", "laquelle", "lesquels", "lesquelles",
        "auquel", "duquel",
        "quel", "quelle", "quels", "quelles",
        // Être.
        "être", "suis", "es", "est", "sommes", "êtes", "sont", "était", "étaient", "été",
        "sera", "seront", "serait", "seraient", "soit", "soient",
        // Avoir.
        "avoir", "ai", "as", "a", "avons", "avez", "ont", "avait", "avaient", "eu",
        "aura", "auront", "aurait", "auraient", "ait", "aient",
        // Prepositions.
        "à", "dans", "par", "pour", "sur", "sous", "avec", "sans", "entre", "vers", "chez",
        "contre", "depuis", "pendant", "selon", "parmi", "avant", "après",
        // Conjunctions.
        "et", "ou", "mais", "donc", "ni", "car", "si", "comme", "quand", "lorsque", "puisque",
        "parce",
        // Negation, adverbs and indefinites.
        "ne", "pas", "non", "plus", "très", "aussi", "ainsi", "alors",
        "tout", "tous", "toute", "toutes", "même", "chaque",
    ]

    /// Spanish: articles and the contractions *al* and *del*, personal, possessive,
    /// demonstrative and relative pronouns, forms of *ser*, *estar* and *haber*, prepositions,
    /// conjunctions, negation and a few adverbs and indefinites. `estado` is left out: it is
    /// also the noun *state*.
    public static let spanish: Set<String> = [
        // Articles and contractions.
        "el", "la", "los", "las", "lo", "un", "una", "unos", "unas", "al", "del",
        // Personal pronouns.
        "yo", "tú", "tu", "él", "ella", "ello", "nosotros", "nosotras", "vosotros",
        "ellos", "ellas", "usted", "ustedes", "me", "te", "se", "nos", "os", "le", "les",
        "mí", "ti", "sí",
        // Possessives.
        "mi", "mis", "tus", "su", "sus", "nuestro", "nuestra", "nuestros", "nuestras",
        "suyo", "suya", "suyos", "suyas",
        // Demonstratives.
        "este", "esta", "estos", "estas", "ese", "esa", "esos", "esas",
        "aquel", "aquella", "aquellos", "aquellas", "esto", "eso", "aquello",
        // Relative and interrogative words.
        "que", "qué", "quien", "quienes", "quién", "cual", "cuales", "cuál",
        "cuyo", "cuya", "cuyos", "cuyas", "donde", "dónde", "cuando", "como", "cómo",
        // Ser.
        "ser", "es", "son", "era", "eran", "fue", "fueron", "sea", "sean", "sido", "será",
        "serán", "sería", "siendo",
        // Estar.
        "estar", "está", "están", "estaba", "estaban",
        // Haber.
        "haber", "he", "ha", "han", "hemos", "había", "habían", "hay", "haya",
        "hayan",
        // Prepositions.
        "a", "ante", "bajo", "con", "contra", "de", "desde", "durante", "en", "entre", "hacia",
        "hasta", "mediante", "para", "por", "según", "sin", "sobre", "tras",
        // Conjunctions.
        "y", "e", "o", "u", "ni", "pero", "sino", "si", "porque", "aunque", "pues", "mientras",
        // Negation, adverbs and indefinites.
        "no", "muy", "más", "también", "ya", "tan", "solo", "sólo",
        "todo", "toda", "todos", "todas", "otro", "otra", "otros", "otras", "mismo", "misma",
        "cada",
    ]

    /// Russian: personal, possessive, reflexive, demonstrative and relative pronouns in their
    /// case forms, forms of *быть*, prepositions, conjunctions, particles and negation. Words
    /// written with `ё` are listed in both spellings, since most texts write `е` for it.
    public static let russian: Set<String> = [
        // Personal pronouns.
        "я", "меня", "мне", "мной", "ты",
        "он", "его", "ему", "им", "нём", "нем", "него", "нему", "ним",
        "она", "её", "ее", "ей", "ней", "неё", "нее", "оно",
        "мы", "нас", "нам", "нами", "вы", "вас", "вам", "вами",
        "они", "их", "них", "ними", "себя", "себе", "собой",
        // Possessives.
        "мой", "моя", "моё", "мое", "мои", "свой", "своя", "своё", "свое", "свои",
        "своего", "своей", "своих", "наш", "наша", "наше", "наши",
        // Demonstratives.
        "этот", "эта", "это", "эти", "этого", "этой", "этом", "этому", "этих", "этим",
        "тот", "та", "то", "те", "того", "той", "том", "тому", "тех", "тем",
        "такой", "такая", "такое", "такие",
        // Relative and interrogative words.
        "кто", "кого", "кому", "что", "чего", "чему", "чем",
        "который", "которая", "которое", "которые", "которого", "которой", "которых",
        "котором", "которым", "где", "когда", "как",
        // Весь, сам.
        "весь", "вся", "всё", "все", "всего", "всех", "всем", "всей",
        // Быть and the copula являться.
        "быть", "был", "была", "было", "были", "будет", "будут", "есть",
        "является", "являются",
        // Prepositions.
        "в", "во", "на", "с", "со", "к", "ко", "по", "о", "об", "от", "до", "из", "за",
        "для", "без", "при", "про", "через", "под", "над", "перед", "между", "у",
        // Conjunctions.
        "и", "а", "но", "или", "чтобы", "если", "так", "также", "да",
        // Particles, negation and adverbs.
        "ни", "ли", "же", "бы", "не", "нет", "уже", "ещё", "еще", "только", "даже", "вот",
        "лишь", "очень",
    ]

    /// Arabic: prepositions, detached pronouns, demonstratives, relative and interrogative
    /// pronouns, conjunctions, particles (negation, *inna* and *anna*, *qad*), forms of *kāna*,
    /// prepositions with an attached pronoun, and the most frequent words with the conjunction
    /// و attached.
    public static let arabic: Set<String> = [
        // Prepositions and adverbs of place and time.
        "في", "من", "إلى", "على", "عن", "مع", "حتى", "منذ", "لدى", "عند", "بين", "خلال",
        "حول", "ضد", "نحو", "دون", "بعد", "قبل", "فوق", "تحت", "عبر", "أمام", "ضمن",
        // Detached pronouns.
        "أنا", "نحن", "أنت", "أنتم", "هو", "هي", "هم", "هن", "هما",
        // Demonstratives.
        "هذا", "هذه", "هذان", "هذين", "هؤلاء", "ذلك", "تلك", "أولئك",
        "هناك", "هنا",
        // Relative and interrogative pronouns.
        "الذي", "التي", "الذين", "اللذان", "اللذين",
        "ما", "ماذا", "متى", "أين", "كيف", "لماذا", "أي",
        // Conjunctions.
        "و", "أو", "ثم", "أم", "بل", "لكن", "حيث", "إذا", "إذ", "لو", "كي", "لأن", "كما",
        "بينما", "لذلك",
        // Particles and negation.
        "أن", "إن", "قد", "لقد", "لا", "لم", "لن", "ليس", "ليست", "سوف", "هل", "إلا", "غير",
        "كل", "بعض", "أيضا", "فقط", "جدا", "كذلك",
        // Kāna and the passive auxiliary tamma.
        "كان", "كانت", "كانوا", "يكون", "تكون", "تم", "يتم",
        // Prepositions and particles with an attached pronoun.
        "فيه", "فيها", "منه", "منها", "منهم", "عليه", "عليها", "إليه",
        "عنه", "عنها", "به", "بها", "له", "لها", "لهم", "أنه", "أنها", "إنه", "إنها",
        // With the conjunction و.
        "وفي", "ومن", "وإلى", "وعلى", "وعن", "ومع", "وهذا", "وهذه", "والتي", "والذي", "وأن",
        "وإن", "ولا", "ولم", "ولن", "وقد", "وكان", "وكانت", "وهو", "وهي", "وهم", "وذلك",
        "وما", "وبين", "وكذلك", "وليس",
    ]

    /// Chinese: single-character function words (particles, conjunctions, prepositions,
    /// pronouns), applied only to isolated characters since Chinese text is indexed as
    /// character bigrams.
    public static let chinese: Set<String> = [
        // Structural, aspect and modal particles.
        "的", "地", "得", "了", "着", "过", "吗", "呢", "之", "所",
        // Conjunctions.
        "和", "与", "及", "或", "而", "但", "并", "且", "则", "即", "如",
        // Prepositions and coverbs.
        "在", "于", "以", "为", "因", "由", "对", "从", "向", "把", "被", "给",
        "将",
        // Pronouns and demonstratives.
        "我", "你", "他", "她", "它", "们", "其", "这", "那", "此", "该",
        // Copula, adverbs, negation, measure word.
        "是", "有", "也", "就", "都", "还", "又", "已", "很", "不", "没", "等", "个",
    ]

    /// The list for a BCP 47 language (primary subtag), or an empty set.
    ///
    /// The primary subtag is compared without regard to case; the ISO 639-2 and 639-3 codes
    /// of the six languages are accepted too (`zh-Hant-TW`, `FR`, `ara` and `cmn` all work).
    public static func forLanguage(_ tag: String) -> Set<String> {
        let primary = tag.split(whereSeparator: { $0 == "-" || $0 == "_" }).first.map { $0.lowercased() } ?? ""
        switch primary {
        case "en", "eng":
            return english
        case "fr", "fra", "fre":
            return french
        case "es", "spa":
            return spanish
        case "ru", "rus":
            return russian
        case "ar", "ara", "arb":
            return arabic
        case "zh", "zho", "chi", "cmn":
            return chinese
        default:
            return []
        }
    }
}
