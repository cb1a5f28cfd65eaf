/// How a resource type carries tags, if it is taggable.
public enum TagFormat: Sendable, Equatable {
    case none
    /// A list of `{Key, Value}` objects under the named property.
    case list(String)
    /// A string map under the named property.
    case map(String)
}
