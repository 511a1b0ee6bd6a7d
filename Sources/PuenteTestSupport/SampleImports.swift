/// Import files the tests share.
public enum SampleImports {
    /// A joint commitment with an indicator and one reading, as both desks might import it (the
    /// overdose figures of the fixture, whose sources `Fixtures/README.md` lists).
    public static let jointReading = """
        {"format": "puente-import/1", "commitments": [{"external_id": "joint-x", "owner": "joint", "pillar": "protect",
          "status": "in-progress", "title": {"en": "Reduce drug overdose deaths in the United States"},
          "indicators": [{"external_id": "joint-x-i1", "name": {"en": "Drug overdose deaths per year"}, "kind": "outcome",
            "direction": "decrease", "baseline": 87000, "target": 60000,
            "readings": [{"date": "2022-12-31", "value": 109000}]}]}]}
        """
}
