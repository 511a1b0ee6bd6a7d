/// A government agency Puente knows by a code, with its country and its standard name in each
/// language. An agency (an element of `agencies`, a delegation's lead) is stored as its code
/// (`us-doj`, `mx-fgr`) when it is one of these, so both desks show the same agency under the
/// same name in their own language; any other agency is kept as the text written.
public struct Agency: Sendable, Equatable {
    public let code: String
    /// The government it belongs to.
    public let country: Delegation
    /// The acronym both governments use, when there is one (`DOJ`, `FGR`).
    public let acronym: String?
    public let en: String
    public let es: String
    /// What a table shows where there is no room for the name: the acronym, or a word of the name.
    public let short: String

    init(code: String, country: Delegation, acronym: String?, en: String, es: String, short: String? = nil) {
        self.code = code
        self.country = country
        self.acronym = acronym
        self.en = en
        self.es = es
        self.short = short ?? acronym ?? code
    }

    /// The standard name in `english` or Spanish, with its acronym and country:
    /// "Department of Justice (DOJ, U.S.)", "Fiscalía General de la República (FGR, México)".
    public func name(english: Bool) -> String {
        let country = english ? (self.country == .us ? "U.S." : "Mexico") : (self.country == .us ? "EE. UU." : "México")
        return (english ? en : es) + " (" + (acronym.map { $0 + ", " } ?? "") + country + ")"
    }
}

/// The agencies of the two delegations' security cooperation that the public record names.
public enum AgencyCatalog {
    public static let all: [Agency] = [
        Agency(code: "us-state", country: .us, acronym: nil, en: "Department of State", es: "Departamento de Estado",
               short: "State"),
        Agency(code: "us-inl", country: .us, acronym: "INL",
               en: "Bureau of International Narcotics and Law Enforcement Affairs (Department of State)",
               es: "Oficina de Asuntos Internacionales de Narcóticos y Aplicación de la Ley (Departamento de Estado)"),
        Agency(code: "us-doj", country: .us, acronym: "DOJ", en: "Department of Justice", es: "Departamento de Justicia"),
        Agency(code: "us-atf", country: .us, acronym: "ATF", en: "Bureau of Alcohol, Tobacco, Firearms and Explosives",
               es: "Oficina de Alcohol, Tabaco, Armas de Fuego y Explosivos"),
        Agency(code: "us-dea", country: .us, acronym: "DEA", en: "Drug Enforcement Administration",
               es: "Administración para el Control de Drogas"),
        Agency(code: "us-dhs", country: .us, acronym: "DHS", en: "Department of Homeland Security",
               es: "Departamento de Seguridad Nacional"),
        Agency(code: "us-cbp", country: .us, acronym: "CBP", en: "Customs and Border Protection",
               es: "Oficina de Aduanas y Protección Fronteriza"),
        Agency(code: "us-ice", country: .us, acronym: "ICE", en: "Immigration and Customs Enforcement",
               es: "Servicio de Inmigración y Control de Aduanas"),
        Agency(code: "us-dod", country: .us, acronym: "DoD", en: "Department of Defense", es: "Departamento de Defensa"),
        Agency(code: "us-treasury", country: .us, acronym: nil, en: "Department of the Treasury", es: "Departamento del Tesoro",
               short: "Treasury"),
        Agency(code: "us-hhs", country: .us, acronym: "HHS", en: "Department of Health and Human Services",
               es: "Departamento de Salud y Servicios Humanos"),
        Agency(code: "us-cdc", country: .us, acronym: "CDC", en: "Centers for Disease Control and Prevention",
               es: "Centros para el Control y la Prevención de Enfermedades"),
        Agency(code: "us-ondcp", country: .us, acronym: "ONDCP", en: "Office of National Drug Control Policy",
               es: "Oficina de Política Nacional para el Control de Drogas"),
        Agency(code: "us-usaid", country: .us, acronym: "USAID", en: "Agency for International Development",
               es: "Agencia para el Desarrollo Internacional"),
        Agency(code: "mx-presidencia", country: .mx, acronym: nil, en: "Office of the President", es: "Presidencia de la República",
               short: "Presidencia"),
        Agency(code: "mx-sre", country: .mx, acronym: "SRE", en: "Secretariat of Foreign Affairs",
               es: "Secretaría de Relaciones Exteriores"),
        Agency(code: "mx-sspc", country: .mx, acronym: "SSPC", en: "Secretariat of Security and Citizen Protection",
               es: "Secretaría de Seguridad y Protección Ciudadana"),
        Agency(code: "mx-fgr", country: .mx, acronym: "FGR", en: "Attorney General's Office", es: "Fiscalía General de la República"),
        Agency(code: "mx-segob", country: .mx, acronym: "SEGOB", en: "Secretariat of the Interior", es: "Secretaría de Gobernación"),
        Agency(code: "mx-segob-prevention", country: .mx, acronym: nil,
               en: "Under-Secretariat for Prevention and Citizen Participation, Secretariat of the Interior",
               es: "Subsecretaría de Prevención y Participación Ciudadana, Secretaría de Gobernación", short: "SEGOB"),
        Agency(code: "mx-sedena", country: .mx, acronym: "SEDENA", en: "Secretariat of National Defense",
               es: "Secretaría de la Defensa Nacional"),
        Agency(code: "mx-semar", country: .mx, acronym: "SEMAR", en: "Secretariat of the Navy", es: "Secretaría de Marina"),
        Agency(code: "mx-gn", country: .mx, acronym: "GN", en: "National Guard", es: "Guardia Nacional"),
        Agency(code: "mx-salud", country: .mx, acronym: nil, en: "Secretariat of Health", es: "Secretaría de Salud",
               short: "Salud"),
        Agency(code: "mx-shcp", country: .mx, acronym: "SHCP", en: "Secretariat of Finance and Public Credit",
               es: "Secretaría de Hacienda y Crédito Público"),
        Agency(code: "mx-uif", country: .mx, acronym: "UIF", en: "Financial Intelligence Unit", es: "Unidad de Inteligencia Financiera"),
        Agency(code: "mx-anam", country: .mx, acronym: "ANAM", en: "National Customs Agency", es: "Agencia Nacional de Aduanas de México"),
        Agency(code: "mx-inm", country: .mx, acronym: "INM", en: "National Migration Institute", es: "Instituto Nacional de Migración"),
        Agency(code: "mx-cnb", country: .mx, acronym: "CNB", en: "National Search Commission", es: "Comisión Nacional de Búsqueda"),
    ]

    private static let byCode = Dictionary(uniqueKeysWithValues: all.map { ($0.code, $0) })

    /// The agency a stored value names, when it is a known code.
    public static func agency(_ code: String) -> Agency? { byCode[code] }

    /// What a full-text search finds a stored agency value by: for a known code, its acronym
    /// and its names in both languages; otherwise the text itself.
    public static func searchText(_ value: String) -> String {
        guard let agency = byCode[value] else { return value }
        return [agency.acronym, agency.en, agency.es].compactMap { $0 }.joined(separator: " ")
    }
}
