/// Inherited tags sorted by key, with their renderings in both tag formats made once.
final class InheritedTags {
    let sorted: [(key: String, value: String)]
    /// `[{Key, Value}]` entries, for `TagFormat.list`.
    private(set) lazy var listEntries: [Value] = sorted.map {
        .object([("Key", .string($0.key)), ("Value", .string($0.value))])
    }
    /// `Key: Value` pairs, for `TagFormat.map`.
    private(set) lazy var mapEntries: [(String, Value)] = sorted.map { ($0.key, .string($0.value)) }

    init(_ sorted: [(key: String, value: String)]) { self.sorted = sorted }

    var isEmpty: Bool { sorted.isEmpty }

    /// These tags with `tags` set on top (later ones win).
    func overridden(by tags: [(key: String, value: String)]) -> InheritedTags {
        var all: [String: String] = [:]
        for t in sorted { all[t.key] = t.value }
        for t in tags { all[t.key] = t.value }
        return InheritedTags(all.keys.sorted().map { ($0, all[$0]!) })
    }
}
