/// The generated code, as a model: what the builder produces from the schemas and the emitter
/// turns into Swift.

/// The Swift type of a property.
indirect enum TypeRef: Equatable {
    case string, number, bool
    /// Arbitrary JSON (`Value`).
    case json
    /// InfraCore's `{Key, Value}` `Tag`.
    case tag
    case list(TypeRef)
    case map(TypeRef)
    /// A generated `PropertyObject` class, by its name in the resource class.
    case object(String)
    /// A generated `SchemaEnum` subclass, by its (resource-unique) name.
    case enumeration(String)
}

struct PropertyModel {
    /// The CloudFormation name (`BucketName`).
    let jsonName: String
    /// The Swift member name, unescaped (`bucketName`).
    var swiftName: String
    let type: TypeRef
    var required: Bool
    /// Changing it replaces the resource (from `createOnlyProperties`).
    var createOnly = false
    /// Read-only (from `readOnlyProperties` paths into nested types): not generated.
    var readOnly = false
}

struct EnumModel {
    let name: String
    /// Sorted, unique.
    let values: [String]
    /// `(member name, value)`, in value order; member names unescaped.
    let cases: [(name: String, value: String)]
}

/// A nested property type (`PropertyObject` subclass).
final class ClassModel {
    let name: String
    var properties: [PropertyModel] = []
    /// Enumerations used by this class's properties, nested in it.
    var enums: [EnumModel] = []

    init(name: String) { self.name = name }
}

struct AttributeModel {
    /// The `Fn::GetAtt` name (`Endpoint.Address`).
    let name: String
    /// `attrEndpointAddress`.
    let swiftName: String
    let type: TypeRef
}

enum TagFormatModel: Equatable {
    case none
    case list(String)
    case map(String)
}

final class ResourceModel {
    let schema: ResourceSchema
    /// The resource class name (`Bucket`), unique in its service namespace.
    let className: String
    var tagFormat: TagFormatModel = .none
    var properties: [PropertyModel] = []
    var attributes: [AttributeModel] = []
    /// Nested property types, sorted by name.
    var classes: [ClassModel] = []
    /// Enumerations of definitions and of top-level properties, nested in the resource class.
    var enums: [EnumModel] = []
    /// All `Fn::GetAtt` names of the type, as getatts.json lists them (patterns included).
    var attributeNames: [String] = []

    init(schema: ResourceSchema, className: String) {
        self.schema = schema
        self.className = className
    }

    var typeName: String { schema.typeName }
    var service: String { schema.service }
}
