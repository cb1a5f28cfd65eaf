import Foundation

/// One synthesized stack: its template and what the deployer needs to know about it.
public struct StackArtifact {
    public let id: String
    public let stackName: String
    public let account: String?
    public let region: String?
    public let template: Value
    /// Stack names this stack must be deployed after.
    public let dependencies: [String]
    public let tags: [(String, String)]
    public let terminationProtection: Bool
    /// Ids of the assets its resources use.
    public let assets: [String]
    /// The config file it was built from, relative to the project root (nil: built in code).
    public var configFile: String?
    /// The effective context (file values merged with `-c` overrides), sorted by key.
    public var context: [(String, Value)] = []
    /// Context keys whose value is an example, sorted.
    public var exampleKeys: [String] = []
    /// Manifest entries of the container images its resources run (see `StackImage`), sorted.
    public var images: [AssemblyManifest.Image] = []
    /// The JSON rendering, made once: synthesis measures it, writing and `render` reuse it.
    let json = RenderedJSON()

    /// The template file name in the assembly.
    public func templateFile(_ format: TemplateFormat) -> String {
        "\(stackName).template.\(format.rawValue)"
    }
}

/// The JSON bytes of a template, rendered on first use.
final class RenderedJSON {
    private var bytes: [UInt8]?

    func bytes(of template: Value) -> [UInt8] {
        if let bytes { return bytes }
        let rendered = JSONRenderer.renderBytes(template)
        bytes = rendered
        return rendered
    }
}
