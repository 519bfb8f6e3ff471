/// What a clearing-house record describes.
public enum RecordKind: String, Sendable, Hashable, CaseIterable, Codable {
    case technology
    case bestPractice
    case caseStudy
    case organization
    case assistanceRequest
    case training
    case funding
    case resource

    /// A label for people ("best practice").
    public var label: String {
        switch self {
        case .technology: return "technology"
        case .bestPractice: return "best practice"
        case .caseStudy: return "case study"
        case .organization: return "organization"
        case .assistanceRequest: return "assistance request"
        case .training: return "training"
        case .funding: return "funding"
        case .resource: return "resource"
        }
    }

    /// The kind named by free text such as a Dublin Core `dc:type` ("Case study",
    /// "best-practice", "Organisation"), or nil when it names none of the eight.
    public init?(looseName: String) {
        let folded = String(looseName.lowercased().filter { $0.isLetter })
        switch folded {
        case "technology", "technologies": self = .technology
        case "bestpractice", "bestpractices", "goodpractice", "goodpractices": self = .bestPractice
        case "casestudy", "casestudies": self = .caseStudy
        case "organization", "organisation", "organizations", "organisations": self = .organization
        case "assistancerequest", "requestforassistance", "request": self = .assistanceRequest
        case "training", "course", "trainingopportunity": self = .training
        case "funding", "grant", "fundingopportunity": self = .funding
        case "resource", "resources": self = .resource
        default: return nil
        }
    }
}
