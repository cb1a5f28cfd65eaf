/// One problem found during synthesis, at a construct path.
public struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let message: String
    public var description: String { "\(path): \(message)" }
}
