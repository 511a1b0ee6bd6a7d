import ArgumentParser
import PuenteKit

/// What shell completion offers for Puente's arguments (`puente --generate-completion-script
/// bash|zsh|fish`): files and folders where a path is asked for, and the codes where a value
/// is one of a list.
enum Completions {
    static let file = CompletionKind.file()
    static let folder = CompletionKind.directory
    static let status = codes(CommitmentStatus.self)
    static let pillar = codes(Pillar.self)
    static let priority = codes(Priority.self)
    static let source = codes(SourceKind.self)
    static let owner = codes(Owner.self)
    static let delegation = codes(Delegation.self)
    static let language = codes(Language.self)
    static let rating = codes(Rating.self)
    static let dialogueKind = codes(DialogueKind.self)
    static let indicatorKind = codes(IndicatorKind.self)
    static let direction = codes(Direction.self)
    static let area = codes(BuiltInArea.self)
    static let sort = codes(CommitmentSort.self)
    static let format = CompletionKind.list(ReportCommand.formats)
    /// Every field any record has, in the form `set` and `resolve` take.
    static let field = CompletionKind.list(Array(Set(EntityType.allCases.flatMap { FieldCatalog.fields(of: $0).keys })).sorted())

    /// Every code of an enumeration.
    static func codes<T: CaseIterable & RawRepresentable>(_: T.Type) -> CompletionKind where T.RawValue == String {
        .list(T.allCases.map(\.rawValue))
    }
}
