// The regions a country belongs to, for matchmaking: a request that names its country but no
// region still meets the offers of its region (`--in-country MV`: Small Island Developing
// States, Asia-Pacific). The UN's five regional groups as the CBD uses them, the UN-OHRLLS
// lists of Small Island Developing States and Least Developed Countries (2025), and the
// Arctic Council's eight states.

import Foundation

/// The regions of a country (ISO 3166-1 alpha-2), in the names records use.
enum CountryRegions {
    /// Region codes of the table below -> the region names records write.
    private static let names: [String: String] = [
        "AF": "Africa", "AP": "Asia-Pacific", "EE": "Eastern Europe", "LC": "Latin America and the Caribbean",
        "WE": "Western Europe and Others", "SIDS": "Small Island Developing States", "LDC": "Least developed countries",
        "AR": "Arctic",
    ]

    /// `CODE:REGION,REGION ...` for each country. (The index holds these regions: a change
    /// here is a change of ``RecordIndexing/documentVersion``.)
    private static let table = """
        AD:WE AE:AP AF:AP,LDC AG:LC,SIDS AL:EE AM:EE AO:AF,LDC AR:LC AT:WE AU:WE AZ:EE BA:EE BB:LC,SIDS BD:AP,LDC \
        BE:WE BF:AF,LDC BG:EE BH:AP,SIDS BI:AF,LDC BJ:AF,LDC BN:AP BO:LC BR:LC BS:LC,SIDS BT:AP BW:AF BY:EE \
        BZ:LC,SIDS CA:WE,AR CD:AF,LDC CF:AF,LDC CG:AF CH:WE CI:AF CL:LC CM:AF CN:AP CO:LC CR:LC CU:LC,SIDS CV:AF,SIDS \
        CY:AP CZ:EE DE:WE DJ:AF,LDC DK:WE,AR DM:LC,SIDS DO:LC,SIDS DZ:AF EC:LC EE:EE EG:AF ER:AF,LDC ES:WE ET:AF,LDC \
        FI:WE,AR FJ:AP,SIDS FM:AP,SIDS FR:WE GA:AF GB:WE GD:LC,SIDS GE:EE GH:AF GM:AF,LDC GN:AF,LDC GQ:AF GR:WE GT:LC \
        GW:AF,SIDS,LDC GY:LC,SIDS HN:LC HR:EE HT:LC,SIDS,LDC HU:EE ID:AP IE:WE IL:WE IN:AP IQ:AP IR:AP IS:WE,AR IT:WE \
        JM:LC,SIDS JO:AP JP:AP KE:AF KG:AP KH:AP,LDC KI:AP,SIDS,LDC KM:AF,SIDS,LDC KN:LC,SIDS KP:AP KR:AP KW:AP KZ:AP \
        LA:AP,LDC LB:AP LC:LC,SIDS LI:WE LK:AP LR:AF,LDC LS:AF,LDC LT:EE LU:WE LV:EE LY:AF MA:AF MC:WE MD:EE ME:EE \
        MG:AF,LDC MH:AP,SIDS MK:EE ML:AF,LDC MM:AP,LDC MN:AP MR:AF,LDC MT:WE MU:AF,SIDS MV:AP,SIDS MW:AF,LDC MX:LC \
        MY:AP MZ:AF,LDC NA:AF NE:AF,LDC NG:AF NI:LC NL:WE NO:WE,AR NP:AP,LDC NR:AP,SIDS NZ:WE OM:AP PA:LC PE:LC \
        PG:AP,SIDS PH:AP PK:AP PL:EE PS:AP PT:WE PW:AP,SIDS PY:LC QA:AP RO:EE RS:EE RU:EE,AR RW:AF,LDC SA:AP \
        SB:AP,SIDS,LDC SC:AF,SIDS SD:AF,LDC SE:WE,AR SG:AP,SIDS SI:EE SK:EE SL:AF,LDC SM:WE SN:AF,LDC SO:AF,LDC \
        SR:LC,SIDS SS:AF,LDC ST:AF,SIDS SV:LC SY:AP SZ:AF TD:AF,LDC TG:AF,LDC TH:AP TJ:AP TL:AP,SIDS,LDC TM:AP TN:AF \
        TO:AP,SIDS TR:WE TT:LC,SIDS TV:AP,SIDS,LDC TZ:AF,LDC UA:EE UG:AF,LDC US:WE,AR UY:LC UZ:AP VC:LC,SIDS VE:LC \
        VN:AP VU:AP,SIDS WS:AP,SIDS YE:AP,LDC ZA:AF ZM:AF,LDC ZW:AF
        """

    /// Country code (upper case) -> region names.
    private static let regionsByCountry: [String: [String]] = {
        var regions: [String: [String]] = [:]
        for entry in table.split(separator: " ") {
            let parts = entry.split(separator: ":")
            guard parts.count == 2 else { continue }
            regions[String(parts[0])] = parts[1].split(separator: ",").compactMap { names[String($0)] }
        }
        return regions
    }()

    /// The region names of the table by their spelling-free key (``Matchmaking/regionKey(_:)``).
    private static let namesByKey: [String: String] = Dictionary(
        names.values.map { (Matchmaking.regionKey($0), $0) }, uniquingKeysWith: { first, _ in first })

    /// The name records use for `region` when it is one of the table's regions, however it is
    /// spelt ("Asia and the Pacific" and "asia-pacific" are "Asia-Pacific", "SIDS" is "Small
    /// Island Developing States"); any other region as given.
    static func name(of region: String) -> String {
        namesByKey[Matchmaking.regionKey(region)] ?? region
    }

    /// The regions `record` is in, each named once as ``name(of:)`` names it: those it names,
    /// or, when it names none, those of its countries (what the `region` filter and facet
    /// count, as matchmaking does).
    static func regions(of record: Record) -> [String] {
        var seen = Set<String>()
        return Matchmaking.regions(of: record).map(name(of:)).filter { seen.insert($0).inserted }
    }

    /// The regions of `country` (any case; none for a code the table does not have).
    static func regions(of country: String) -> [String] {
        regionsByCountry[country.uppercased()] ?? []
    }

    /// The names by which the UN calls a country where the system's English names differ
    /// (the web pages' tables give the same in every language).
    private static let unitedNationsNames: [String: String] = ["CN": "China"]

    /// The English name of `country` (any case): the UN's short name ("China", not the
    /// system's "China mainland"), or nil for a code no table knows.
    static func englishName(of country: String) -> String? {
        let code = country.uppercased()
        return unitedNationsNames[code] ?? Locale(identifier: "en").localizedString(forRegionCode: code)
    }
}
