/// The output format of templates.
public enum TemplateFormat: String, Sendable, CaseIterable {
    case json, yaml
}
