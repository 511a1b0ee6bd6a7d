import ArgumentParser
import PuenteKit

/// What shell completion offers for Puente's arguments (`puente --generate-completion-script
/// bash|zsh|fish`): files and folders where a path is asked for, and the codes where a value
/// is one of a list.
enum Completions {
    static let file = CompletionKind.file()
    static let folder = CompletionKind.directory
    static let status = CompletionKind.list(CommitmentStatus.allCases.map(\.rawValue))
    static let pillar = CompletionKind.list(Pillar.allCases.map(\.rawValue))
    static let priority = CompletionKind.list(Priority.allCases.map(\.rawValue))
    static let owner = CompletionKind.list(Owner.allCases.map(\.rawValue))
    static let delegation = CompletionKind.list(Delegation.allCases.map(\.rawValue))
    static let language = CompletionKind.list(Language.allCases.map(\.rawValue))
    static let rating = CompletionKind.list(Rating.allCases.map(\.rawValue))
    static let dialogueKind = CompletionKind.list(DialogueKind.allCases.map(\.rawValue))
    static let indicatorKind = CompletionKind.list(IndicatorKind.allCases.map(\.rawValue))
    static let direction = CompletionKind.list(Direction.allCases.map(\.rawValue))
    static let area = CompletionKind.list(BuiltInArea.allCases.map(\.rawValue))
    static let sort = CompletionKind.list(CommitmentSort.allCases.map(\.rawValue))
    static let format = CompletionKind.list(["markdown", "html", "csv", "json"])
    /// Every field any record has, in the form `set` and `resolve` take.
    static let field = CompletionKind.list(Array(Set(EntityType.allCases.flatMap { FieldCatalog.fields(of: $0).keys })).sorted())
}
