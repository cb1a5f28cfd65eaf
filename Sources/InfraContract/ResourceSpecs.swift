/// What the schemas say about each resource type, for the deployer (`infra diff` tells
/// which changes replace a resource) and for validation. Parsed on first use from one
/// string (cheap to compile): one line per type, `|` between fields, `,` within. The string,
/// `data`, is generated into ResourceSpecsData.swift by InfraCodegen (`scripts/codegen`).
public enum ResourceSpecs {
    public struct Spec: Sendable {
        /// Properties whose change replaces the resource: `BucketName`,
        /// `VpcConfig/SubnetIds`, `Tags/*/Key` (no `/properties/` prefix).
        public let createOnlyProperties: [String]
        /// Properties whose change replaces the resource in some cases only.
        public let conditionalCreateOnlyProperties: [String]
        /// Required top-level properties.
        public let requiredProperties: [String]
        /// Properties CloudFormation never returns (passwords, code locations).
        public let writeOnlyProperties: [String]
        /// `Fn::GetAtt` names; a few are patterns (`Outputs\..*`).
        public let attributes: [String]
    }

    /// The spec of a resource type (`AWS::S3::Bucket`); nil for an unknown type.
    public static func spec(_ type: String) -> Spec? { table[type] }

    public static func createOnlyProperties(_ type: String) -> [String]? {
        table[type]?.createOnlyProperties
    }

    public static func conditionalCreateOnlyProperties(_ type: String) -> [String]? {
        table[type]?.conditionalCreateOnlyProperties
    }

    public static func requiredProperties(_ type: String) -> [String]? {
        table[type]?.requiredProperties
    }

    public static func writeOnlyProperties(_ type: String) -> [String]? {
        table[type]?.writeOnlyProperties
    }

    public static func attributes(_ type: String) -> [String]? {
        table[type]?.attributes
    }

    /// Every resource type with a pinned schema, sorted.
    public static var resourceTypes: [String] { table.keys.sorted() }

    private static let table: [String: Spec] = {
        var table: [String: Spec] = [:]
        for line in data.split(separator: "\n") {
            let f = line.split(separator: "|", omittingEmptySubsequences: false).map {
                $0.split(separator: ",").map(String.init)
            }
            table[String(line.prefix { $0 != "|" })] = Spec(
                createOnlyProperties: f[1], conditionalCreateOnlyProperties: f[2],
                requiredProperties: f[3], writeOnlyProperties: f[4], attributes: f[5])
        }
        return table
    }()
}
