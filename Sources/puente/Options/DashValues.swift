/// Values that begin with a dash: `set ID tags -southbound` removes an element, and
/// `indicator record ID -5` records a negative reading, as help and README say.
///
/// The argument parser reads any word that begins with `-` as options: `-southbound` as the
/// short flags `-s -o -u -t -h …`, so the `h` in it printed help and changed nothing. Puente has
/// no short option but `-h`, so any other word of one dash and a character (`-x`, `-5`, `-.5`)
/// can only be a value. Before parsing, each such word is given to the parser as one:
/// - after an option that takes a value, joined to it (`--baseline -5` → `--baseline=-5`);
/// - anywhere else, moved after a `--` at the end, where the parser reads every word as a
///   positional value, in order (`set ID tags -southbound` → `set ID tags -- -southbound`).
/// Words after a `--` the user typed are left as they are, as is a lone `-` and `--name=value`.
enum DashValues {
    /// The long options that take a value; every other `--name` is a flag. `--version` is a flag
    /// of the root (print the version) and a value only of `keys root certify`, which takes no
    /// negative number. A test checks this list against the parser's own (`--experimental-dump-help`).
    static let valueOptions: Set<String> = [
        "agency", "area", "as-of", "assess", "author", "baseline", "baseline-date", "citation", "commitment", "date", "delegation", "dialogue", "direction", "due", "due-before",
        "fingerprint", "for", "format", "from", "illustrative", "in", "kind", "lang", "last-good", "lead", "limit", "name", "name-en", "name-es", "note",
        "office", "our-priority", "owner", "participant", "pillar", "place", "priority", "revisited", "root-key", "since", "sort", "source",
        "statement-en", "statement-es", "status", "store", "summary-en", "summary-es", "tag", "target", "target-date", "text",
        "title-en", "title-es", "to", "unit", "unit-es", "why",
    ]

    /// The arguments (without the program's name) with every dash value made one for the parser.
    static func rewrite(_ arguments: [String]) -> [String] {
        var kept = [String]()
        var moved = [String]()
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let word = arguments[index]
            if word == "--" { break }
            if isDashValue(word) {
                if let option = kept.last, takesValue(option) {
                    kept[kept.count - 1] = option + "=" + word
                } else {
                    moved.append(word)
                }
            } else {
                kept.append(word)
            }
            index += 1
        }
        guard !moved.isEmpty else { return kept + arguments[index...] }
        // A `--` the user typed, and what follows it, stays after the values moved before it.
        let typed = index < arguments.endIndex ? Array(arguments[(index + 1)...]) : []
        return kept + ["--"] + moved + typed
    }

    /// One dash and at least one character, which is not a dash, and not `-h` (help).
    static func isDashValue(_ word: String) -> Bool {
        word.count > 1 && word.hasPrefix("-") && !word.hasPrefix("--") && word != "-h"
    }

    /// `--name` (not `--name=value`) of an option that takes a value.
    private static func takesValue(_ word: String) -> Bool {
        word.hasPrefix("--") && !word.contains("=") && valueOptions.contains(String(word.dropFirst(2)))
    }
}
