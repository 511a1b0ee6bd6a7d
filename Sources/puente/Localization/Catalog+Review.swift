/// Phrases of the review dashboard and the briefing reports.
extension Catalog {
    static let reviewPhrases: [String: Phrase] = [
        "help.since": Phrase(en: "Also list what changed since this date (YYYY-MM-DD), or since the last import: last-import.",
                             es: "Listar también lo que cambió desde esta fecha (AAAA-MM-DD), o desde la última importación: last-import."),
        "error.since": Phrase(en: "--since takes a date (YYYY-MM-DD) or last-import, not '{0}'.",
                              es: "--since requiere una fecha (AAAA-MM-DD) o last-import, no '{0}'."),
        "status-short.proposed": Phrase(en: "propos.", es: "propu."),
        "status-short.agreed": Phrase(en: "agreed", es: "acord."),
        "status-short.in-progress": Phrase(en: "in prog", es: "en curso"),
        "status-short.fulfilled": Phrase(en: "done", es: "cumplido"),
        "status-short.stalled": Phrase(en: "stalled", es: "estanc."),
        "status-short.withdrawn": Phrase(en: "withdr.", es: "retir."),
        "review.due-soon": Phrase(en: "Due within {1} days ({0})", es: "Vencen en {1} días ({0})"),
        "review.indicators.outcome": Phrase(en: "Outcome indicators ({0}): progress from baseline toward target",
                                            es: "Indicadores de resultado ({0}): avance desde la referencia hacia la meta"),
        "review.indicators.output": Phrase(en: "Output indicators ({0}): progress from baseline toward target",
                                           es: "Indicadores de producto ({0}): avance desde la referencia hacia la meta"),
        "review.changes": Phrase(en: "Changed since {1} ({0})", es: "Cambios desde {1} ({0})"),
        "review.new": Phrase(en: "new", es: "nuevo"),
        "field.indicators": Phrase(en: "Indicators", es: "Indicadores"),
        "field.notes": Phrase(en: "Notes", es: "Notas"),
    ]
}
