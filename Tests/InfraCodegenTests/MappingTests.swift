import XCTest
@testable import InfraCodegen

/// Naming and type mapping on small hand-written schemas.
final class MappingTests: XCTestCase {
    /// Generates the file of one schema (`typeName` `AWS::Test::Thing`, service `Test`).
    func generate(_ schema: String, getAtts: [String] = [], file: StaticString = #filePath,
                  line: UInt = #line) throws -> String {
        let json = try JSONReader.parse(schema)
        let atts = JSON.object([(json["typeName"]?.string ?? ""): .array(getAtts.map(JSON.string))])
        let models = try Generator.models([try ResourceSchema(json)], getAtts: atts)
        let files = Emitter().files(models)
        let service = models[0].service
        return try XCTUnwrap(files["\(service).swift"], file: file, line: line)
    }

    func testScalarsListsAndMaps() throws {
        let code = try generate("""
            {"typeName": "AWS::Test::Thing", "properties": {
              "Name": {"type": "string"}, "Count": {"type": "integer"}, "Ratio": {"type": "number"},
              "Enabled": {"type": "boolean"},
              "Names": {"type": "array", "items": {"type": "string"}},
              "Labels": {"type": "object", "patternProperties": {"^.*$": {"type": "string"}}},
              "Extra": {"type": "object", "additionalProperties": {"type": "integer"}},
              "Policy": {"type": ["object", "string"]},
              "Free": {"type": "object"}
            }}
            """)
        XCTAssertTrue(code.contains("public enum Test {}"))
        XCTAssertTrue(code.contains("/// AWS::Test::Thing\n    public final class Thing: Resource {"))
        XCTAssertTrue(code.contains(#"public override class var resourceType: String { "AWS::Test::Thing" }"#))
        XCTAssertTrue(code.contains("public var name: StringValue?"))
        XCTAssertTrue(code.contains("public var count: NumberValue?"))
        XCTAssertTrue(code.contains("public var ratio: NumberValue?"))
        XCTAssertTrue(code.contains("public var enabled: BoolValue?"))
        XCTAssertTrue(code.contains("public var names: ListValue<StringValue>?"))
        XCTAssertTrue(code.contains("public var labels: MapValue<StringValue>?"))
        XCTAssertTrue(code.contains("public var extra: MapValue<NumberValue>?"))
        XCTAssertTrue(code.contains("public var policy: Value?"))
        XCTAssertTrue(code.contains("public var free: Value?"))
        XCTAssertFalse(code.contains("tagFormat"))
        // Written in sorted key order.
        let order = ["Count", "Enabled", "Extra", "Free", "Labels", "Name", "Names", "Policy", "Ratio"]
            .map { code.range(of: "w.put(\"\($0)\"")!.lowerBound }
        XCTAssertEqual(order, order.sorted())
    }

    func testEnumsNestedRefsAndRequired() throws {
        let code = try generate("""
            {"typeName": "AWS::Test::Bucket",
             "required": ["Encryption"],
             "createOnlyProperties": ["/properties/BucketName", "/properties/Encryption/Rule/Mode",
                                      "/properties/Encryption/Rules/*/Mode"],
             "readOnlyProperties": ["/properties/Arn"],
             "properties": {
               "Arn": {"type": "string"},
               "BucketName": {"type": "string"},
               "Encryption": {"$ref": "#/definitions/Encryption"}
             },
             "definitions": {
               "Encryption": {"type": "object", "required": ["Rule"], "properties": {
                 "Rule": {"$ref": "#/definitions/Rule"},
                 "Rules": {"type": "array", "items": {"$ref": "#/definitions/Rule"}}}},
               "Rule": {"type": "object", "properties": {
                 "Mode": {"type": "string", "enum": ["aws:kms", "AES256", "none", "t2.micro"]}}}
             }}
            """, getAtts: ["Arn", "Endpoint.Address"])
        XCTAssertFalse(code.contains("public var arn:"), "read-only properties are attributes only")
        XCTAssertTrue(code.contains("/// Changing it replaces the resource.\n        public var bucketName: StringValue?"))
        XCTAssertTrue(code.contains("/// Required.\n        public var encryption: Encryption?"))
        XCTAssertTrue(code.contains(#"w.require("Encryption", encryption)"#))
        XCTAssertTrue(code.contains(#"w.put("BucketName", bucketName)"#))
        XCTAssertTrue(code.contains("public final class Encryption: PropertyObject {"))
        XCTAssertTrue(code.contains("/// Required.\n            public var rule: Rule?"))
        XCTAssertTrue(code.contains("public var rules: ListValue<Rule>?"))
        XCTAssertTrue(code.contains(#"w.require("Rule", rule)"#))
        XCTAssertTrue(code.contains("/// Changing it replaces the resource.\n            public var mode: Mode?"))
        // The inline enum is nested in the class that uses it; cases are open static members.
        XCTAssertTrue(code.contains("public final class Mode: SchemaEnum {"))
        XCTAssertTrue(code.contains(#"public override class var allowedValues: [String] { ["AES256", "aws:kms", "none", "t2.micro"] }"#))
        XCTAssertTrue(code.contains(#"public static var awsKms: Self { "aws:kms" }"#))
        XCTAssertTrue(code.contains(#"public static var aes256: Self { "AES256" }"#))
        XCTAssertTrue(code.contains(#"public static var noneValue: Self { "none" }"#))
        XCTAssertTrue(code.contains(#"public static var t2Micro: Self { "t2.micro" }"#))
        XCTAssertTrue(code.contains(#"public var attrArn: StringValue { getAtt("Arn") }"#))
        XCTAssertTrue(code.contains(#"public var attrEndpointAddress: StringValue { getAtt("Endpoint.Address") }"#))
    }

    func testKeywordsAndInheritedMemberNames() throws {
        let code = try generate("""
            {"typeName": "AWS::Test::Listener", "properties": {
               "Protocol": {"type": "string"}, "Default": {"type": "boolean"},
               "Condition": {"type": "string"}, "Path": {"type": "string"}, "Id": {"type": "string"},
               "Type": {"type": "string", "enum": ["A"]},
               "Action": {"type": "object", "properties": {"Write": {"type": "string"}, "Type": {"type": "string"}}}
            }}
            """)
        XCTAssertTrue(code.contains("public var `protocol`: StringValue?"))
        XCTAssertTrue(code.contains("w.put(\"Protocol\", `protocol`)"))
        XCTAssertTrue(code.contains("public var `default`: BoolValue?"))
        XCTAssertTrue(code.contains("public var conditionProperty: StringValue?"))
        XCTAssertTrue(code.contains(#"w.put("Condition", conditionProperty)"#))
        XCTAssertTrue(code.contains("public var pathProperty: StringValue?"))
        XCTAssertTrue(code.contains("public var idProperty: StringValue?"))
        XCTAssertTrue(code.contains("public var writeProperty: StringValue?"))
        XCTAssertTrue(code.contains("public var type: StringValue?"))
        // `Type` is not a usable nested type name: prefixed with the owner.
        XCTAssertTrue(code.contains("public var type: ListenerType?"))
        XCTAssertTrue(code.contains("public final class ListenerType: SchemaEnum {"))
        XCTAssertTrue(code.contains("public final class Action: PropertyObject {"))
    }

    func testTagsUnionsAndAlternatives() throws {
        let code = try generate("""
            {"typeName": "AWS::Test::Table",
             "tagging": {"taggable": true, "tagProperty": "/properties/Tags"},
             "properties": {
               "Tags": {"type": "array", "items": {"$ref": "#/definitions/Tag"}},
               "Attributes": {"type": "array", "items": {"$ref": "#/definitions/Attribute"}},
               "KeySchema": {"oneOf": [{"$ref": "#/definitions/KeySchema"},
                                       {"type": ["object", "string"], "format": "json"}]},
               "Target": {"type": "object", "oneOf": [
                  {"properties": {"Bucket": {"type": "string"}}, "required": ["Bucket"]},
                  {"properties": {"Queue": {"type": "string"}}, "required": ["Queue"]}]},
               "Either": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
               "Arn": {"type": "string", "anyOf": [{"format": "AWS::IAM::Role.Arn"}, {"format": "AWS::IAM::User.Arn"}]}
             },
             "definitions": {
               "Tag": {"type": "object", "properties": {"Key": {"type": "string"}, "Value": {"type": "string"}}},
               "Attribute": {"type": "object", "properties": {"Key": {"type": "string"}, "Value": {"type": "string"}}},
               "KeySchema": {"type": "array", "items": {"type": "object", "properties": {
                  "AttributeName": {"type": "string"}}}}
             }}
            """)
        XCTAssertTrue(code.contains(#"public override class var tagFormat: TagFormat { .list("Tags") }"#))
        XCTAssertTrue(code.contains("public var tags: ListValue<Tag>?"))
        XCTAssertFalse(code.contains("class Tag"), "{Key, Value} maps to InfraCore's Tag")
        XCTAssertTrue(code.contains("public var attributes: ListValue<Attribute>?"), "not named like a tag")
        XCTAssertTrue(code.contains("public final class Attribute: PropertyObject {"))
        XCTAssertTrue(code.contains("public var keySchema: ListValue<KeySchema>?"))
        XCTAssertTrue(code.contains("public final class KeySchema: PropertyObject {"))
        XCTAssertTrue(code.contains("public var target: Target?"))
        XCTAssertTrue(code.contains("public var bucket: StringValue?\n            public var queue: StringValue?"))
        XCTAssertTrue(code.contains("public var either: Value?"))
        XCTAssertTrue(code.contains("public var arn: StringValue?"))
    }

    /// A resource class that shadows an InfraCore name (`ApiGateway.Resource`) makes the
    /// generated code spell that name qualified.
    func testStringMapTagsAndQualifiedCoreNames() throws {
        let code = try generate("""
            {"typeName": "AWS::Test::Resource", "tagging": {"taggable": true},
             "properties": {"Tags": {"type": "object", "patternProperties": {".*": {"type": "string"}}}}}
            """)
        XCTAssertTrue(code.contains("public final class Resource: InfraCore.Resource {"))
        XCTAssertTrue(code.contains(#"public override class var tagFormat: TagFormat { .map("Tags") }"#))
        XCTAssertTrue(code.contains("public var tags: MapValue<StringValue>?"))
    }

    /// Enumerations with the same values in two resources of a service are generated once in
    /// the namespace and aliased under their own names; a single use stays nested.
    func testSharedEnumerationsAndGroups() throws {
        let schemas = try [
            #"{"typeName": "AWS::Test::Alpha", "properties": {"Size": {"type": "string", "enum": ["b", "a"]}, "Mode": {"type": "string", "enum": ["x"]}}}"#,
            #"{"typeName": "AWS::Test::Beta", "properties": {"Width": {"type": "string", "enum": ["a", "b"]}}}"#,
            #"{"typeName": "AWS::Test::Gamma", "properties": {"Size": {"type": "string", "enum": ["a", "b"]}}}"#,
        ].map { try ResourceSchema(JSONReader.parse($0)) }
        let models = try Generator.models(schemas, getAtts: .object([:]))
        let files = Emitter().files(models, groups: ["AWS::Test::Beta": "Second", "AWS::Test::Gamma": "Second"])
        XCTAssertEqual(files.keys.sorted(), ["Test.Second.swift", "Test.swift"])
        let main = try XCTUnwrap(files["Test.swift"]), second = try XCTUnwrap(files["Test.Second.swift"])
        // Named like most of its uses (Size twice, Width once), declared once in Test.swift.
        XCTAssertTrue(main.contains("public enum Test {}"))
        XCTAssertTrue(main.contains("    /// Shared by Alpha, Beta, Gamma.\n    public final class Size: SchemaEnum {"))
        XCTAssertEqual(main.components(separatedBy: ": SchemaEnum {").count - 1, 2, "Size and Mode only")
        XCTAssertFalse(second.contains(": SchemaEnum {"))
        XCTAssertTrue(main.contains("public typealias Size = Test.Size"))
        XCTAssertTrue(main.contains("public final class Mode: SchemaEnum {"), "one use: nested")
        XCTAssertTrue(second.contains("public typealias Width = Test.Size"))
        XCTAssertTrue(second.contains("public final class Beta: Resource {"))
        XCTAssertFalse(second.contains("public enum Test {}"))
    }

    func testSelectionFile() throws {
        let known: Set<String> = ["AWS::Test::Alpha", "AWS::Test::Beta"]
        let s = try Selection("# comment\nAWS::Test::Alpha   # used\n\nAWS::Test::Beta  Group2\n", file: "r.txt", known: known)
        XCTAssertEqual(s.groups["AWS::Test::Alpha"], .some(nil))
        XCTAssertEqual(s.groups["AWS::Test::Beta"], .some("Group2"))
        func message(_ text: String) -> String {
            do { _ = try Selection(text, file: "r.txt", known: known); return "" } catch { return "\(error)" }
        }
        XCTAssertEqual(message("AWS::Test::Alpha\nAWS::Test::Nope\n"), "r.txt:2: no schema for AWS::Test::Nope in codegen/schemas")
        XCTAssertEqual(message("AWS::Test::Alpha\nAWS::Test::Alpha\n"), "r.txt:2: AWS::Test::Alpha is listed twice")
        XCTAssertEqual(message("AWS::Test::Alpha net.work\n"), "r.txt:1: group 'net.work' must be a capitalized ASCII word (it names a file)")
        XCTAssertEqual(message("AWS::Test::Alpha A B\n"), "r.txt:1: expected 'AWS::Service::Type [Group]', got 'AWS::Test::Alpha A B'")
        XCTAssertEqual(message("# nothing\n"), "r.txt: no resource types listed")
    }

    func testNames() {
        XCTAssertEqual(Naming.memberName("BucketName"), "bucketName")
        XCTAssertEqual(Naming.memberName("SSEAlgorithm"), "sseAlgorithm")
        XCTAssertEqual(Naming.memberName("VPCId"), "vpcId")
        XCTAssertEqual(Naming.memberName("S3Bucket"), "s3Bucket")
        XCTAssertEqual(Naming.memberName("SSES3"), "sses3")
        XCTAssertEqual(Naming.memberName("DBInstanceClass"), "dbInstanceClass")
        XCTAssertEqual(Naming.memberName("deadLetterTargetArn"), "deadLetterTargetArn")
        XCTAssertEqual(Naming.typeName("iso8601UTC"), "Iso8601UTC")
        XCTAssertEqual(Naming.enumCaseName("aws:kms"), "awsKms")
        XCTAssertEqual(Naming.enumCaseName("AES256"), "aes256")
        XCTAssertEqual(Naming.enumCaseName("PAY_PER_REQUEST"), "payPerRequest")
        XCTAssertEqual(Naming.enumCaseName("m5.2xlarge"), "m5_2xlarge")
        XCTAssertEqual(Naming.enumCaseName("5.7"), "_5_7")
        XCTAssertEqual(Naming.enumCaseName("ApplicationLoadBalancer"), "applicationLoadBalancer")
        XCTAssertNil(Naming.enumCaseName("*"))
        XCTAssertEqual(Naming.attributeName("Endpoint.Address"), "attrEndpointAddress")
        XCTAssertEqual(Naming.escaped("default"), "`default`")
        XCTAssertEqual(Naming.literal("a\"b\\c"), #""a\"b\\c""#)
    }

    func testJSONReader() throws {
        let v = try JSONReader.parse(#"{"a": [1, -2.5e3, true, null, "\u00e9\n\ud83d\ude00"], "b": {}}"#)
        XCTAssertEqual(v["a"]?.array?.count, 5)
        XCTAssertEqual(v["a"]?.array?[4].string, "é\n😀")
        XCTAssertEqual(v.canonical, #"{"a":[1,-2.5e3,true,null,"é\n😀"],"b":{}}"#)
        XCTAssertThrowsError(try JSONReader.parse(#"{"a": }"#))
        XCTAssertThrowsError(try JSONReader.parse("[1] x"))
    }
}
