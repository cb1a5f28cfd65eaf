/// A construct that uses assets (so the manifest lists them under the stack). Adopted by
/// higher-level constructs (functions, task definitions); synthesis does not ask template
/// elements (resources, parameters, outputs, conditions, mappings).
public protocol AssetUser: AnyObject {
    var assetIds: [String] { get }
}
