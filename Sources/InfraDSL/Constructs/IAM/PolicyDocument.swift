import InfraCore

/// An IAM policy document.
public struct PolicyDocument {
    public var statements: [PolicyStatement]

    public init(_ statements: [PolicyStatement] = []) { self.statements = statements }

    public var isEmpty: Bool { statements.isEmpty }

    /// Adds a statement, merging it into an existing one with the same effect, principals,
    /// conditions and resources (so grants do not produce one statement each).
    public mutating func add(_ statement: PolicyStatement) {
        if let i = statements.firstIndex(where: {
            $0.sid == nil && statement.sid == nil && $0.effect == statement.effect
                && $0.principals.mapValues { $0.map(\.token) } == statement.principals.mapValues { $0.map(\.token) }
                && $0.conditions == statement.conditions
                && $0.resources.map(\.token) == statement.resources.map(\.token)
        }) {
            for a in statement.actions where !statements[i].actions.contains(a) { statements[i].actions.append(a) }
        } else {
            statements.append(statement)
        }
    }

    public var value: Value {
        .object([("Version", "2012-10-17"), ("Statement", .array(statements.map(\.value)))])
    }
}
