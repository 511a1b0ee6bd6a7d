/// A delegation to the dialogues.
public enum Delegation: String, CaseIterable, Codable, Sendable, Comparable {
    case us
    case mx

    public static func < (lhs: Delegation, rhs: Delegation) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Who owns a commitment: one delegation, or both.
public enum Owner: String, CaseIterable, Codable, Sendable {
    case us
    case mx
    case joint

    /// The delegations that may change what the owner alone may change.
    public var delegations: Set<Delegation> {
        switch self {
        case .us: return [.us]
        case .mx: return [.mx]
        case .joint: return [.us, .mx]
        }
    }
}

/// The three goals (pillars) of the Bicentennial Framework.
public enum Pillar: String, CaseIterable, Codable, Sendable {
    case protect
    case prevent
    case pursue
}

/// The owner's word on where a commitment stands.
public enum CommitmentStatus: String, CaseIterable, Codable, Sendable {
    case proposed
    case agreed
    case inProgress = "in-progress"
    case fulfilled
    case stalled
    case withdrawn

    /// Whether the commitment still asks for work (overdue lists skip the others).
    public var isOpen: Bool { self != .fulfilled && self != .withdrawn }
}

/// A delegation's own view of a commitment's progress.
public enum Rating: String, CaseIterable, Codable, Sendable {
    case onTrack = "on-track"
    case atRisk = "at-risk"
    case offTrack = "off-track"
    case fulfilled
    case notAssessed = "not-assessed"
}

/// Where a commitment or a dialogue comes from: what the record rests on.
public enum SourceKind: String, CaseIterable, Codable, Sendable {
    /// A statement both governments issued.
    case jointStatement = "joint-statement"
    /// An action plan or its published summary.
    case actionPlan = "action-plan"
    /// One government's announcement (unilateral).
    case announcement
    /// A signed or formally agreed text.
    case agreement
    /// Outside analysts' recommendation: not agreed by either government.
    case recommendation
    case other
}

public enum Priority: String, CaseIterable, Codable, Sendable {
    case high
    case medium
    case low
}

public enum DialogueKind: String, CaseIterable, Codable, Sendable {
    case highLevelDialogue = "high-level-dialogue"
    /// A bilateral meeting at cabinet level (a secretary and a delegation led by one).
    case cabinetMeeting = "cabinet-meeting"
    /// A session of a standing implementation group.
    case implementationSession = "implementation-session"
    case workingGroup = "working-group"
    case summit
    case technicalMeeting = "technical-meeting"
    /// A document (an action plan, a fact sheet) rather than a meeting.
    case document
}

/// Whether an indicator counts what was done or what changed.
public enum IndicatorKind: String, CaseIterable, Codable, Sendable {
    case output
    case outcome
}

/// Which way an indicator should move.
public enum Direction: String, CaseIterable, Codable, Sendable {
    case increase
    case decrease
}

/// The built-in areas; areas are open-ended, these are the ones Puente names in both languages.
public enum BuiltInArea: String, CaseIterable, Sendable {
    case armsTrafficking = "arms-trafficking"
    case publicHealth = "public-health"
    case illicitFinance = "illicit-finance"
    case extradition
    case humanSmuggling = "human-smuggling"
    case borderInfrastructure = "border-infrastructure"
    case justiceReform = "justice-reform"
    case cybercrime
    case drugSupply = "drug-supply"
    case safeCommunities = "safe-communities"
    case humanRights = "human-rights"
    case secureTrade = "secure-trade"
    case fentanylPrecursors = "fentanyl-precursors"
    case demandReduction = "demand-reduction"
    case migration
    /// Trafficking in persons (trata), distinct from the smuggling of migrants (`human-smuggling`).
    case traffickingInPersons = "trafficking-in-persons"
    case corruption
    case securityAssistance = "security-assistance"
    case diplomacy
    case programEvaluation = "program-evaluation"
}

/// The kinds of entity an operation can act on.
public enum EntityType: String, CaseIterable, Codable, Sendable {
    case commitment
    case dialogue
    case indicator
    case note
}
