/// How schema names become Swift names. The rules are documented in codegen/README.md.
enum Naming {
    /// Swift keywords: used as member names, they are written in backticks.
    static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import",
        "init", "inout", "internal", "let", "open", "operator", "private", "precedencegroup",
        "protocol", "public", "rethrows", "static", "struct", "subscript", "typealias", "var",
        "break", "case", "catch", "continue", "default", "defer", "do", "else", "fallthrough",
        "for", "guard", "if", "in", "repeat", "return", "throw", "switch", "where", "while",
        "as", "false", "is", "nil", "super", "self", "true", "throws", "try", "await", "async",
        "any", "some", "consume", "copy", "discard", "each", "borrowing", "consuming",
    ]

    /// Type names a nested type must not take: the ones generated code spells unqualified
    /// (a nested type of that name would shadow them) and Swift's special names.
    static let reservedTypeNames: Set<String> = [
        "Any", "AnyObject", "Protocol", "Self", "Type", "Swift", "String", "Optional",
        "InfraCore", "Value", "StringValue", "NumberValue", "BoolValue", "ListValue", "MapValue",
        "Tag", "PropertyObject", "Resource", "ObjectWriter", "StringEnum", "SchemaEnum", "TagFormat",
    ]

    /// Members of Construct / TemplateElement / Resource (InfraCore), public or not: a
    /// generated resource property of the same name gets the suffix `Property`.
    static let resourceMembers: Set<String> = [
        "id", "scope", "children", "appliedTags", "app", "path", "pathComponents", "child",
        "stack", "tag", "descendants", "prepare", "validate", "root", "childIndex", "attach",
        "logicalId", "overrideLogicalId", "hasLogicalIdOverride", "stackRelativeComponents",
        "logicalIdOverride", "cachedLogicalId", "resourceType", "tagFormat", "cfnType",
        "dependsOn", "deletionPolicy", "updateReplacePolicy", "condition", "metadata",
        "creationPolicy", "updatePolicy", "overrides", "writeProperties", "ref", "getAtt",
        "addDependency", "addPropertyOverride", "addPropertyDeletionOverride",
        "renderProperties", "applyTags", "apply", "set", "init", "deinit", "self", "super",
        "Type", "Protocol",
    ]

    /// Members of PropertyObject: a nested-type property of the same name gets `Property`.
    static let propertyObjectMembers: Set<String> = [
        "write", "toValue", "init", "deinit", "self", "super", "Type", "Protocol",
    ]

    /// Members of a SchemaEnum class (and `Optional`'s cases, which `.none` on an optional
    /// enum property would mean): an enum case of the same name gets the suffix `Value`.
    static let enumMembers: Set<String> = [
        "token", "value", "allowedValues", "toValue", "init", "self", "Type", "Protocol",
        "none", "some",
    ]

    /// `name` as a member declaration or reference: keywords in backticks.
    static func escaped(_ name: String) -> String {
        keywords.contains(name) ? "`\(name)`" : name
    }

    /// Splits on every character that is not an ASCII letter or digit.
    static func words(_ s: String) -> [String] {
        var out: [String] = []
        var cur = ""
        for c in s {
            if c.isASCII && (c.isLetter || c.isNumber) {
                cur.append(c)
            } else if !cur.isEmpty {
                out.append(cur)
                cur = ""
            }
        }
        if !cur.isEmpty { out.append(cur) }
        return out
    }

    /// `BucketName` -> `bucketName`, `SSEAlgorithm` -> `sseAlgorithm`, `VPCId` -> `vpcId`,
    /// `S3Bucket` -> `s3Bucket`, `SSES3` -> `sses3`: the leading run of capitals (and digits)
    /// is lowered, except its last capital when a lower-case letter follows it.
    static func lowerLead(_ word: String) -> String {
        let cs = Array(word)
        var n = 0
        while n < cs.count, cs[n].isASCII, cs[n].isUppercase || cs[n].isNumber { n += 1 }
        if n == cs.count { return word.lowercased() }
        if n == 0 { return word }
        let cut = (n > 1 && cs[n - 1].isLetter) ? n - 1 : n
        return String(cs[..<cut]).lowercased() + String(cs[cut...])
    }

    private static func upperFirst(_ word: String) -> String {
        guard let f = word.first else { return word }
        return f.uppercased() + word.dropFirst()
    }

    private static func isUpperOrDigits(_ word: String) -> Bool {
        word.allSatisfy { $0.isUppercase || $0.isNumber }
    }

    /// Joins words into one identifier; `_` separates a digit from a following digit, and an
    /// identifier that would start with a digit gets a leading `_`.
    private static func join(_ parts: [String]) -> String {
        var out = ""
        for p in parts {
            if let last = out.last, last.isNumber, p.first?.isNumber == true { out += "_" }
            out += p
        }
        if out.first?.isNumber == true { out = "_" + out }
        return out
    }

    /// A property name (`BucketName`) as a Swift member name (`bucketName`), unescaped.
    static func memberName(_ jsonName: String) -> String {
        let w = words(jsonName)
        guard let first = w.first else { return "_" }
        return join([lowerLead(first)] + w.dropFirst().map(upperFirst))
    }

    /// A schema name (definition or property) as a Swift type name.
    static func typeName(_ name: String) -> String {
        let w = words(name)
        guard !w.isEmpty else { return "_" }
        return join(w.map(upperFirst))
    }

    /// An enum value as a case name: `aws:kms` -> `awsKms`, `AES256` -> `aes256`,
    /// `PAY_PER_REQUEST` -> `payPerRequest`, `t2.micro` -> `t2Micro`, `5.7` -> `_5_7`.
    /// Nil when the value has no letter or digit.
    static func enumCaseName(_ value: String) -> String? {
        let w = words(value)
        guard !w.isEmpty else { return nil }
        var parts: [String] = []
        for (i, word) in w.enumerated() {
            if isUpperOrDigits(word) {
                let lower = word.lowercased()
                parts.append(i == 0 ? lower : upperFirst(lower))
            } else {
                parts.append(i == 0 ? lowerLead(word) : upperFirst(word))
            }
        }
        return join(parts)
    }

    /// An attribute name as a member: `Arn` -> `attrArn`, `Endpoint.Address` ->
    /// `attrEndpointAddress`.
    static func attributeName(_ name: String) -> String {
        "attr" + typeName(name)
    }

    /// A Swift string literal.
    static func literal(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    out += "\\u{" + String(u.value, radix: 16) + "}"
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
