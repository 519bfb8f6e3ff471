import ClearingHouse
import Foundation

/// What a help-desk form asks: the need, the country, the kinds of help, and (to store the
/// request) an API key.
struct HelpdeskForm: Sendable {
    /// The kinds of help a party may ask for: the library's (``MatchRequest/knownAssistanceTypes``).
    static let helpKinds = MatchRequest.knownAssistanceTypes
    /// The longest description taken: the library's (``HelpRequest/maximumNeedLength``).
    static let maximumNeed = HelpRequest.maximumNeedLength

    var need = ""
    var country: String?
    var help: [String] = []
    var key: String?
    /// The key the form was shown with (a hidden field): the same form sent twice stores
    /// one request (``HelpRequest/submission``).
    var submission: String?
    /// A country or kinds of help sent that the form does not offer (an address made by
    /// hand): the form is shown again with what was typed, and says which; nothing is
    /// matched or stored.
    var unknownCountry: String?
    var unknownHelp: [String] = []

    /// Whether a value sent is none of the form's choices.
    var hasUnknownValues: Bool { unknownCountry != nil || !unknownHelp.isEmpty }

    /// Whether the form was filled in (a first visit has no need).
    var isFilled: Bool { !need.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }

    /// What is wrong with the need as sent, as the key of an interface string: empty (only
    /// spaces) or longer than ``maximumNeed``; nil when it can be matched.
    var needProblem: String? {
        switch HelpRequest.problem(ofNeed: need) {
        case .empty: "helpdesk.needEmpty"
        case .tooLong: "helpdesk.needTooLong"
        case nil: nil
        }
    }

    /// The form's fields (from a query string or a form body).
    /// - Throws: ``PageError`` for an unknown field or a value that cannot be used.
    init(_ parameters: RequestParameters, allowKey: Bool) throws(PageError) {
        do {
            try parameters.check(
                known: allowKey ? ["lang", "need", "country", "help", "key", "submission"] : ["lang", "need", "country", "help"])
            // (A need that is empty or too long is not an error page: the form is shown again,
            // with what was typed and ``needProblem``.)
            need = try parameters.one("need") ?? ""
            // (A value none of the form's choices is not an error page either: the need typed
            // is kept, and the field says what it was sent.)
            if let code = try parameters.one("country"), !code.isEmpty {
                if let normalized = CountryCode.normalized(code) {
                    country = normalized
                } else {
                    unknownCountry = code
                }
            }
            // (Any spelling of a kind: `technology-transfer` is the form's `technologyTransfer`.)
            for typed in parameters.all("help") {
                guard let kind = HelpRequest.assistanceType(named: typed) else {
                    unknownHelp.append(typed)
                    continue
                }
                if !help.contains(kind) { help.append(kind) }
            }
            if allowKey, let key = try parameters.one("key"), !key.trimmingCharacters(in: .whitespaces).isEmpty { self.key = key }
            if allowKey, let submission = try parameters.one("submission"), !submission.isEmpty {
                guard submission.count <= HelpRequest.maximumSubmissionLength else {
                    throw PageError.badParameter("submission", "at most \(HelpRequest.maximumSubmissionLength) characters")
                }
                self.submission = submission
            }
        } catch {
            throw PageError.from(error) ?? .badParameter("need", "\(error)")
        }
    }

    init() {}

    /// The form that stored `record` (a request of the help desk): its description (or
    /// title), country and kinds of help.
    init(stored record: Record) {
        let language = record.language
        need = (record.description.resolved(preferring: language) ?? record.title.resolved(preferring: language))?.text ?? ""
        country = record.countries.first
        help = record.assistanceTypes.filter { Self.helpKinds.contains($0) }
    }

    /// The request as the library takes it, written on the page in `language`: matched
    /// before it is stored (``HelpRequest/matchRequest(limit:)``) and stored by
    /// ``ClearingHouse/store(_:)``.
    func helpRequest(language: String) -> HelpRequest {
        var request = HelpRequest(need: need, country: country, assistanceTypes: help, language: language)
        request.submission = submission
        return request
    }
}

/// What happened to a request sent to be stored.
enum StoreOutcome: Sendable {
    /// No key given: nothing stored.
    case notAsked
    /// Stored as this record.
    case stored(String)
    /// The server has no keys: nothing stored.
    case readOnly
    /// A wrong key: nothing stored.
    case badKey
    /// The library refused the record (its message).
    case invalid(String)
    /// The need cannot be matched (``HelpdeskForm/needProblem``'s string key): nothing
    /// matched or stored, the form shown again as it was sent.
    case formProblem(String)
}

/// `/helpdesk`: the form, and the offers that match what it describes.
struct HelpdeskPage {
    let form: HelpdeskForm
    /// Nil before the form is filled.
    let matches: [SearchResultHit]?
    let labels: [String: String]
    let outcome: StoreOutcome
    let strings: Strings
    /// Whether the server takes keys (otherwise the key field says it is read-only).
    let acceptsKeys: Bool

    func render() -> HTML {
        let s = strings
        let layoutLanguage: @Sendable (String) -> String = { language in
            language == "en" ? "/helpdesk" : URLQuery.url("/helpdesk", [("lang", language)])
        }
        var layout = Layout(strings: s, languageURL: layoutLanguage)
        layout.current = "helpdesk"
        let action = s.language == "en" ? "/helpdesk" : "/helpdesk?lang=\(s.language)"
        let countries = CountryCode.all.map { ($0, s.country($0)) }.sorted { $0.1.localizedStandardCompare($1.1) == .orderedAscending }
        let options = countries.map { code, name -> HTML in
            "<option value=\"\(code)\"\(HTML.attribute("selected", form.country == code ? "selected" : nil))>\(name)</option>"
        }
        let helpBoxes = HelpdeskForm.helpKinds.map { kind -> HTML in
            """
            <li><input type="checkbox" name="help" value="\(kind)" id="help-\(kind)"\(HTML.attribute("checked", form.help.contains(kind) ? "checked" : nil))>\
            <label for="help-\(kind)">\(s("help.\(kind)"))</label></li>
            """
        }
        let keyHint = acceptsKeys ? s("helpdesk.keyHint") : s("helpdesk.readOnly")
        // (Said next to the field it is about.)
        let problem: String? = if case .formProblem(let key) = outcome { key } else { nil }
        // (HTML, not a String: QA found the attributes' quotes escaped, so the problem was not
        // tied to the field.)
        let countryInvalid: HTML = form.unknownCountry == nil ? .empty : " aria-invalid=\"true\" aria-describedby=\"country-problem\""
        // The answer (what was stored, the offers that match) comes first, and takes the
        // focus; the form, to refine and send again, after it (QA: on a phone the answer was
        // two screens below the form, and a screen reader said nothing, so people sent again).
        let answer = HTML.join([outcomeMessage(), results()].filter { !$0.description.isEmpty }, separator: "\n")
        let formHTML: HTML = """
            <form id="helpdesk" class="helpdesk" action="\(action)" method="post">
            <div class="field">
            <label for="need">\(s("helpdesk.need"))</label>
            <textarea id="need" name="need" dir="auto" rows="6" required maxlength="\(HelpdeskForm.maximumNeed)" \
            aria-describedby="need-hint\(problem == nil ? "" : " need-problem")"\(HTML.attribute("aria-invalid", problem == nil ? nil : "true"))>\(form.need)</textarea>
            <p class="hint" id="need-hint">\(s("helpdesk.needHint"))</p>
            \(problem.map { key -> HTML in
                "<p class=\"message error\" role=\"alert\" id=\"need-problem\">\(s(key, ["count": s.number(HelpdeskForm.maximumNeed)]))</p>"
            })
            </div>
            <div class="field">
            <label for="country">\(s("helpdesk.country"))</label>
            <select id="country" name="country"\(countryInvalid)>\
            <option value="">\(s("helpdesk.anyCountry"))</option>\(options)</select>
            \(form.unknownCountry.map { value -> HTML in
                "<p class=\"message error\" role=\"alert\" id=\"country-problem\" data-parameter=\"country\">\(s("helpdesk.countryUnknown", ["value": value]))</p>"
            })
            </div>
            <fieldset class="field">
            <legend>\(s("helpdesk.help"))</legend>
            <ul class="checkboxes">\(helpBoxes)</ul>
            \(form.unknownHelp.isEmpty ? nil : "<p class=\"message error\" role=\"alert\" id=\"help-problem\" data-parameter=\"help\">\(s("helpdesk.helpUnknown", ["value": form.unknownHelp.joined(separator: ", ")]))</p>" as HTML)
            </fieldset>
            <fieldset class="field store">
            <legend>\(s("helpdesk.store"))</legend>
            <label for="key">\(s("helpdesk.key"))</label>
            <input type="password" id="key" name="key" autocomplete="off" aria-describedby="key-hint">
            <p class="hint" id="key-hint">\(keyHint)</p>
            </fieldset>
            <input type="hidden" name="submission" value="\(UUID().uuidString.lowercased())">
            <p><button type="submit">\(s("helpdesk.submit"))</button></p>
            </form>
            """
        let beforeForm: HTML =
            answer.description.isEmpty
            ? "<p class=\"intro\">\(s("helpdesk.intro"))</p>"
            : "<div class=\"helpdesk-answer\" id=\"answer\" tabindex=\"-1\" data-focus>\(answer)</div>"
        let main: HTML = """
            <h1>\(s("helpdesk.title"))</h1>
            \(beforeForm)
            \(formHTML)
            """
        let title: String =
            switch outcome {
            case .stored: "\(s("helpdesk.storedTitle")) – \(s("helpdesk.title"))"
            default: matches == nil ? s("helpdesk.title") : "\(s("helpdesk.results")) – \(s("helpdesk.title"))"
            }
        return layout.page(title: title, main)
    }

    func outcomeMessage() -> HTML {
        let s = strings
        switch outcome {
        case .notAsked:
            return form.isFilled ? Fragments.message(s("helpdesk.notStored")) : .empty
        case .stored(let id):
            return """
                <p class="message success" role="status" data-stored-id="\(id)">\(s("helpdesk.stored")) \
                <a href="\(URLQuery.record(id, language: s.language))">\(id)</a></p>
                """
        case .readOnly: return Fragments.message(s("helpdesk.readOnlyStored"), kind: "error")
        case .badKey: return Fragments.message(s("helpdesk.badKey"), kind: "error")
        case .invalid(let detail): return Fragments.message(s("helpdesk.invalid", ["detail": detail]), kind: "error")
        case .formProblem: return .empty
        }
    }

    func results() -> HTML {
        guard let matches else { return .empty }
        let s = strings
        return """
            <section class="helpdesk-results" aria-labelledby="helpdesk-results-title">
            <h2 id="helpdesk-results-title">\(s("helpdesk.results"))</h2>
            <p class="total" data-total="\(matches.count)">\(s("helpdesk.count", ["count": s.number(matches.count)]))</p>
            \(Fragments.relatedHits(matches, strings: s, labels: labels, empty: s("helpdesk.noResults")))
            </section>
            """
    }
}
