/// The root of the construct tree. Holds the stacks and the context values they read.
public final class App: Construct {
    /// Context values (from the config file's `context`, overridden by `-c KEY=VALUE`).
    public var context: [String: Value]
    /// Assets registered by constructs (function code, container images), by id.
    public private(set) var assets: [Asset] = []
    private(set) var constructionErrors: [(String, String)] = []
    /// Relations between constructs that constructs record as they are wired (see `ConstructRelation`).
    public internal(set) var relations: [ConstructRelation] = []

    public init(context: [String: Value] = [:]) {
        self.context = context
        super.init(rootId: "")
    }

    /// The stacks in the order they were added.
    public var stacks: [Stack] { children.compactMap { $0 as? Stack } }

    /// Records a problem found while building the tree; synthesis reports it and fails.
    public func report(path: String, _ message: String) {
        constructionErrors.append((path.isEmpty ? "App" : path, message))
    }

    /// Registers an asset (once per id); returns the registered one.
    @discardableResult
    public func addAsset(_ asset: Asset) -> Asset {
        if let existing = assets.first(where: { $0.id == asset.id }) { return existing }
        assets.append(asset)
        return asset
    }

    /// Renders every stack. Throws `SynthesisError` with all problems found; on success the
    /// assembly holds each stack's template and the manifest data.
    public func synthesize() throws -> CloudAssembly {
        try Synthesis(app: self).run()
    }
}
