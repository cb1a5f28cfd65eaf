import Foundation

/// The parts of the CloudFormation registry's resource provider schema the generator reads.
/// Validation keywords (pattern, min/max, uniqueItems, ...) are ignored: CloudFormation and
/// cfn-lint check them, the generated types only carry shapes.
final class SchemaNode {
    let json: JSON
    /// The definition name of `"$ref": "#/definitions/X"`.
    let ref: String?
    /// `type`, as a list (a string becomes a one-element list).
    let types: [String]
    /// `properties`, sorted by name.
    let properties: [(name: String, node: SchemaNode)]
    let required: Set<String>
    /// The values of `patternProperties`, sorted by pattern.
    let patternProperties: [SchemaNode]
    /// `additionalProperties` when it is a schema (not `true`/`false`).
    let additionalProperties: SchemaNode?
    let items: SchemaNode?
    /// `oneOf` followed by `anyOf`.
    let alternatives: [SchemaNode]
    /// The string values of `enum` and `const`, sorted and unique; empty when there are none.
    let enumValues: [String]

    init(_ json: JSON) {
        self.json = json
        if let r = json["$ref"]?.string {
            let prefix = "#/definitions/"
            ref = r.hasPrefix(prefix) ? String(r.dropFirst(prefix.count)) : nil
        } else {
            ref = nil
        }
        if let t = json["type"]?.string {
            types = [t]
        } else {
            types = json["type"]?.strings ?? []
        }
        let props = json["properties"]?.object ?? [:]
        properties = props.keys.sorted().map { ($0, SchemaNode(props[$0]!)) }
        required = Set(json["required"]?.strings ?? [])
        let pp = json["patternProperties"]?.object ?? [:]
        patternProperties = pp.keys.sorted().map { SchemaNode(pp[$0]!) }
        if let ap = json["additionalProperties"], ap.object != nil {
            additionalProperties = SchemaNode(ap)
        } else {
            additionalProperties = nil
        }
        items = json["items"].flatMap { $0.object != nil ? SchemaNode($0) : nil }
        alternatives = ((json["oneOf"]?.array ?? []) + (json["anyOf"]?.array ?? [])).map(SchemaNode.init)
        var values = Set(json["enum"]?.strings ?? [])
        if let c = json["const"]?.string { values.insert(c) }
        enumValues = values.sorted()
    }

    /// Canonical JSON text, to recognize identical inline shapes.
    private(set) lazy var canonical: String = json.canonical

    /// True when the node itself says what it is, so `oneOf`/`anyOf` only add constraints
    /// (required-property variants, formats).
    var hasOwnShape: Bool {
        ref != nil || !properties.isEmpty || items != nil || !patternProperties.isEmpty
            || additionalProperties != nil || !enumValues.isEmpty
    }
}

/// One resource provider schema (`aws-<service>-<resource>.json`).
struct ResourceSchema {
    /// `AWS::S3::Bucket`.
    let typeName: String
    /// `S3`.
    let service: String
    /// `Bucket`.
    let name: String
    let properties: [(name: String, node: SchemaNode)]
    let definitions: [String: SchemaNode]
    /// Required top-level properties: `required`, plus the ones every branch of a top-level
    /// `oneOf`/`anyOf` requires.
    let required: Set<String>
    /// Property paths without the `/properties/` prefix (`VpcConfig/SubnetIds`, `Tags/*/Key`).
    let readOnly: [String]
    let createOnly: [String]
    let conditionalCreateOnly: [String]
    let writeOnly: [String]
    /// `tagging.taggable`; nil when the schema has no `tagging` section.
    let taggable: Bool?
    /// The tag property named by `tagging.tagProperty` (`Tags` by default); nil when the
    /// tag property is not a top-level property.
    let tagProperty: String?

    init(_ json: JSON) throws {
        guard let typeName = json["typeName"]?.string else {
            throw JSONError(message: "schema without typeName")
        }
        let parts = typeName.components(separatedBy: "::")
        guard parts.count == 3 else { throw JSONError(message: "unexpected type name \(typeName)") }
        self.typeName = typeName
        service = parts[1]
        name = parts[2]

        let props = json["properties"]?.object ?? [:]
        properties = props.keys.sorted().map { ($0, SchemaNode(props[$0]!)) }
        definitions = (json["definitions"]?.object ?? [:]).mapValues(SchemaNode.init)

        var required = Set(json["required"]?.strings ?? [])
        for key in ["oneOf", "anyOf"] {
            let branches = (json[key]?.array ?? []).map { Set($0["required"]?.strings ?? []) }
            if let first = branches.first {
                required.formUnion(branches.dropFirst().reduce(first) { $0.intersection($1) })
            }
        }
        self.required = required

        func paths(_ key: String) -> [String] {
            (json[key]?.strings ?? []).map { p in
                p.hasPrefix("/properties/") ? String(p.dropFirst("/properties/".count)) : p
            }.sorted()
        }
        readOnly = paths("readOnlyProperties")
        createOnly = paths("createOnlyProperties")
        conditionalCreateOnly = paths("conditionalCreateOnlyProperties")
        writeOnly = paths("writeOnlyProperties")

        taggable = json["tagging"]?["taggable"]?.bool
        let tp = json["tagging"]?["tagProperty"]?.string ?? "/properties/Tags"
        let tpName = tp.hasPrefix("/properties/") ? String(tp.dropFirst("/properties/".count)) : tp
        tagProperty = tpName.contains("/") ? nil : tpName
    }
}
