/// What CloudFormation does with a resource on deletion or replacement.
public enum DeletionPolicy: String, Sendable {
    case delete = "Delete", retain = "Retain", snapshot = "Snapshot", retainExceptOnCreate = "RetainExceptOnCreate"
}
