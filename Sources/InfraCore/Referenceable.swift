/// Anything a `Ref` / `Fn::GetAtt` can point at: resources and parameters.
public protocol Referenceable: AnyObject {
    /// The logical ID in its stack's template.
    var logicalId: String { get }
    /// The stack whose template holds it.
    var stack: Stack { get }
    /// The construct path, for messages.
    var path: String { get }
}
