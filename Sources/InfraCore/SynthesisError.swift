/// Synthesis failed; nothing was written. Lists every problem found.
public struct SynthesisError: Error, CustomStringConvertible {
    public let diagnostics: [Diagnostic]
    public var description: String {
        "synthesis failed with \(diagnostics.count) error\(diagnostics.count == 1 ? "" : "s"):\n"
            + diagnostics.map { "  - \($0)" }.joined(separator: "\n")
    }
}
