/// An error reading or writing an assembly.
public struct AssemblyError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
