/// Turns one resource schema into a `ResourceModel`: resolves every writable property to a
/// Swift type, creating the nested classes and enumerations it needs, and names them.
///
/// Shapes (see codegen/README.md):
/// - `$ref` to a definition: the definition's type (one nested type per definition).
/// - an object with `properties`: a nested class (an object that is exactly `{Key, Value}`
///   strings is InfraCore's `Tag`); identical inline objects share one class, and an inline
///   object identical to a definition uses the definition's class.
/// - `patternProperties` / `additionalProperties` schema: `MapValue` of the value type.
/// - `type: array`: `ListValue` of the item type.
/// - a string `enum` / `const`: a `SchemaEnum` subclass; integer enums stay numbers.
/// - `oneOf`/`anyOf` that only add constraints (formats, required variants): ignored;
///   alternatives that are all objects: one class with the union of their properties;
///   one typed alternative plus free-form JSON ones: the typed one; anything else: `Value`.
/// - a `type` list (`["object", "string"]`), an object without properties: `Value`.
final class ResourceBuilder {
    let schema: ResourceSchema
    let model: ResourceModel

    private enum NameHint {
        /// A name reserved for a definition.
        case fixed(String)
        /// Named after a property, prefixed with the owner's name on a collision.
        case property(String)
    }

    /// Every type name in use in the resource class (reserved ones included).
    private var taken: Set<String>
    /// Fixed names already given to a type.
    private var created: Set<String> = []
    /// Definition name -> Swift name, for definitions that become a nested type.
    private var defNames: [String: String] = [:]
    private var defTypes: [String: TypeRef] = [:]
    private var resolving: Set<String> = []
    /// Canonical JSON of an inline object -> its class.
    private var classByCanonical: [String: String] = [:]
    /// Canonical JSON of a definition's object (or of its array items) -> definition name.
    private var defByCanonical: [String: (def: String, viaItems: Bool)] = [:]
    private var classes: [String: ClassModel] = [:]

    init(schema: ResourceSchema, className: String) {
        self.schema = schema
        self.model = ResourceModel(schema: schema, className: className)
        self.taken = Naming.reservedTypeNames.union([className])
    }

    func build(attributeNames: [String]) -> ResourceModel {
        // Definitions keep their own names; reserve them before anything inline is named.
        for d in schema.definitions.keys.sorted() {
            let node = schema.definitions[d]!
            if needsName(node, named: d) {
                defNames[d] = allocate(base: Naming.typeName(d), parent: model.className)
            }
            if !node.properties.isEmpty, node.types.count <= 1, node.ref == nil {
                defByCanonical[node.canonical] = (d, false)
            } else if node.types == ["array"], let items = node.items, !items.properties.isEmpty,
                      items.ref == nil {
                defByCanonical[items.canonical] = (d, true)
            }
        }

        let readOnly = Set(schema.readOnly)
        for (name, node) in schema.properties where !readOnly.contains(name) {
            let type = resolve(node, .property(name), owner: nil)
            model.properties.append(PropertyModel(
                jsonName: name, swiftName: Naming.memberName(name), type: type,
                required: schema.required.contains(name),
                createOnly: schema.createOnly.contains(name)))
        }

        markNestedPaths()
        pruneUnreachable()
        nameMembers()
        model.tagFormat = tagFormat()
        model.attributeNames = attributeNames
        model.attributes = attributes(attributeNames)
        model.classes = classes.keys.sorted().map { classes[$0]! }
        model.enums.sort { $0.name < $1.name }
        for c in model.classes { c.enums.sort { $0.name < $1.name } }
        return model
    }

    // MARK: - Names

    /// `base`, else `parent + base`, else `base + "Property"`, else `base2`, `base3`, ...
    private func allocate(base: String, parent: String) -> String {
        var candidates = [base, parent + base, base + "Property"]
        if base.hasPrefix(parent) { candidates.remove(at: 1) }
        for c in candidates where !taken.contains(c) {
            taken.insert(c)
            return c
        }
        var n = 2
        while taken.contains("\(base)\(n)") { n += 1 }
        taken.insert("\(base)\(n)")
        return "\(base)\(n)"
    }

    private func name(for hint: NameHint, owner: ClassModel?) -> String {
        switch hint {
        case .fixed(let n):
            if !created.contains(n) {
                created.insert(n)
                return n
            }
            return allocate(base: n, parent: owner?.name ?? model.className)
        case .property(let p):
            return allocate(base: Naming.typeName(p), parent: owner?.name ?? model.className)
        }
    }

    /// Whether a definition becomes a nested type of its own (a class or an enumeration,
    /// possibly as the items of an array definition).
    private func needsName(_ node: SchemaNode, named name: String) -> Bool {
        if node.ref != nil || node.types.count > 1 { return false }
        if !node.alternatives.isEmpty && !node.hasOwnShape {
            return node.alternatives.allSatisfy(isObjectBranch)
                || node.alternatives.contains { !$0.enumValues.isEmpty }
        }
        switch node.types.first {
        case "string"?: return !node.enumValues.isEmpty
        case "array"?: return node.items.map { needsName($0, named: name) } ?? false
        case "object"?, nil:
            if !node.properties.isEmpty { return !isTagShape(node.properties, named: name) }
            if let m = mapElement(node) { return needsName(m, named: name) }
            return node.types.isEmpty && !node.enumValues.isEmpty
        default: return false
        }
    }

    // MARK: - Types

    private func resolveDefinition(_ d: String) -> TypeRef {
        if let t = defTypes[d] { return t }
        guard let node = schema.definitions[d] else { return .json }  // dangling $ref
        if resolving.contains(d) {
            // A recursive definition: only objects (and arrays of them) can refer to themselves.
            guard let n = defNames[d] else { return .json }
            return node.types == ["array"] ? .list(.object(n)) : .object(n)
        }
        resolving.insert(d)
        let hint: NameHint = defNames[d].map { .fixed($0) } ?? .property(d)
        let t = resolve(node, hint, owner: nil)
        resolving.remove(d)
        defTypes[d] = t
        return t
    }

    private func resolve(_ node: SchemaNode, _ hint: NameHint, owner: ClassModel?) -> TypeRef {
        if let r = node.ref { return resolveDefinition(r) }
        if node.types.count > 1 { return .json }
        let type = node.types.first
        if !node.alternatives.isEmpty && !node.hasOwnShape,
           let t = resolveAlternatives(node, hint, owner: owner) {
            return t
        }
        switch type {
        case "string"?:
            return node.enumValues.isEmpty ? .string : makeEnum(node.enumValues, hint, owner: owner)
        case "integer"?, "number"?:
            return .number
        case "boolean"?:
            return .bool
        case "array"?:
            guard let items = node.items else { return .list(.json) }
            return .list(resolve(items, hint, owner: owner))
        case "object"?, nil:
            if !node.properties.isEmpty {
                return makeClass(node.properties, required: node.required,
                                 canonical: node.canonical, hint, owner: owner)
            }
            if let m = mapElement(node) { return .map(resolve(m, hint, owner: owner)) }
            if !node.patternProperties.isEmpty { return .map(.json) }
            if type == nil, !node.enumValues.isEmpty {
                return makeEnum(node.enumValues, hint, owner: owner)
            }
            return .json
        default:
            return .json
        }
    }

    /// The value schema of a map: `patternProperties` (when all patterns have the same
    /// schema) or an `additionalProperties` schema.
    private func mapElement(_ node: SchemaNode) -> SchemaNode? {
        if let first = node.patternProperties.first {
            return node.patternProperties.allSatisfy { $0.canonical == first.canonical } ? first : nil
        }
        return node.additionalProperties
    }

    private func isObjectBranch(_ b: SchemaNode) -> Bool {
        b.ref == nil && !b.properties.isEmpty && (b.types.isEmpty || b.types == ["object"])
    }

    /// Free-form JSON: an object without properties, or a type list with `object`.
    private func isFreeForm(_ b: SchemaNode) -> Bool {
        b.ref == nil && b.properties.isEmpty && b.items == nil && b.patternProperties.isEmpty
            && b.additionalProperties == nil && b.types.contains("object")
    }

    /// A branch that only constrains the node's own type (a `format`, `required`, a pattern).
    private func isBare(_ b: SchemaNode, _ node: SchemaNode) -> Bool {
        !b.hasOwnShape && b.alternatives.isEmpty && (b.types.isEmpty || b.types == node.types)
    }

    private func resolveAlternatives(_ node: SchemaNode, _ hint: NameHint, owner: ClassModel?) -> TypeRef? {
        let branches = node.alternatives
        if branches.allSatisfy({ isBare($0, node) }) { return nil }
        // Strings, some of them enumerated (`"FARGATE" | "FARGATE_SPOT" | any name`): the
        // enumeration, which is open anyway.
        let stringBranches = branches.filter { b in
            b.ref == nil && b.properties.isEmpty && b.items == nil && b.patternProperties.isEmpty
                && b.additionalProperties == nil && b.alternatives.isEmpty
                && (b.types.isEmpty ? node.types : b.types) == ["string"]
        }
        if stringBranches.count == branches.count {
            let values = Set(branches.flatMap(\.enumValues)).sorted()
            return values.isEmpty ? .string : makeEnum(values, hint, owner: owner)
        }
        if branches.allSatisfy(isObjectBranch) {
            // One class with every branch's properties; required only when all require it.
            var props: [String: SchemaNode] = [:]
            for b in branches {
                for (n, p) in b.properties where props[n] == nil { props[n] = p }
            }
            let required = branches.dropFirst().reduce(branches[0].required) {
                $0.intersection($1.required)
            }.union(node.required)
            return makeClass(props.keys.sorted().map { ($0, props[$0]!) }, required: required,
                             canonical: node.canonical, hint, owner: owner)
        }
        let typed = branches.filter { !isFreeForm($0) && !isBare($0, node) }
        if typed.count == 1, branches.filter(isFreeForm).count == branches.count - 1 {
            return resolve(typed[0], hint, owner: owner)
        }
        return .json
    }

    /// `{Key, Value}` with plain string values, named like a tag (`Tag`, `HostedZoneTag`, a
    /// `Tags` property's items): InfraCore's `Tag`. Other key/value pairs
    /// (`LoadBalancerAttribute`, `Dimension`) keep their own class.
    private func isTagShape(_ props: [(name: String, node: SchemaNode)], named name: String) -> Bool {
        name.contains("Tag") && props.count == 2 && props[0].name == "Key" && props[1].name == "Value"
            && props.allSatisfy { p in
                var n = p.node
                if let r = n.ref, let d = schema.definitions[r] { n = d }
                return n.types == ["string"] && n.enumValues.isEmpty && n.ref == nil
            }
    }

    private func makeClass(_ props: [(name: String, node: SchemaNode)], required: Set<String>,
                           canonical: String, _ hint: NameHint, owner: ClassModel?) -> TypeRef {
        switch hint {
        case .fixed(let n), .property(let n):
            if isTagShape(props, named: n) { return .tag }
        }
        if case .property = hint {
            if let entry = defByCanonical[canonical] {
                let t = resolveDefinition(entry.def)
                if entry.viaItems, case .list(let e) = t { return e }
                if !entry.viaItems { return t }
            }
            if let n = classByCanonical[canonical] { return .object(n) }
        }
        let cls = ClassModel(name: name(for: hint, owner: owner))
        classes[cls.name] = cls
        classByCanonical[canonical] = cls.name
        for (pname, pnode) in props {
            let t = resolve(pnode, .property(pname), owner: cls)
            cls.properties.append(PropertyModel(
                jsonName: pname, swiftName: Naming.memberName(pname), type: t,
                required: required.contains(pname)))
        }
        return .object(cls.name)
    }

    private func makeEnum(_ values: [String], _ hint: NameHint, owner: ClassModel?) -> TypeRef {
        let name = name(for: hint, owner: owner)
        var used: Set<String> = []
        var cases: [(String, String)] = []
        for v in values {
            var c = Naming.enumCaseName(v) ?? (v == "*" ? "wildcard" : "value")
            if Naming.enumMembers.contains(c) { c += "Value" }
            var unique = c
            var n = 2
            while used.contains(unique) { unique = "\(c)\(n)"; n += 1 }
            used.insert(unique)
            cases.append((unique, v))
        }
        let e = EnumModel(name: name, values: values, cases: cases)
        if let owner { owner.enums.append(e) } else { model.enums.append(e) }
        return .enumeration(name)
    }

    // MARK: - Paths into nested types

    /// Marks nested properties read-only / create-only when every path that reaches them is
    /// listed in `readOnlyProperties` / `createOnlyProperties`.
    private func markNestedPaths() {
        let readOnly = Set(schema.readOnly), createOnly = Set(schema.createOnly)
        guard readOnly.contains(where: { $0.contains("/") }) || createOnly.contains(where: { $0.contains("/") })
        else { return }
        var counts: [String: (all: Int, ro: Int, co: Int)] = [:]
        var budget = 200_000
        func walk(_ t: TypeRef, _ path: String, _ stack: Set<String>) {
            switch t {
            case .list(let e), .map(let e):
                walk(e, path + "/*", stack)
            case .object(let n):
                guard !stack.contains(n), budget > 0, let cls = classes[n] else { return }
                for p in cls.properties {
                    budget -= 1
                    let sub = path + "/" + p.jsonName
                    let key = n + "." + p.jsonName
                    var c = counts[key] ?? (0, 0, 0)
                    c.all += 1
                    if readOnly.contains(sub) { c.ro += 1 }
                    if createOnly.contains(sub) { c.co += 1 }
                    counts[key] = c
                    walk(p.type, sub, stack.union([n]))
                }
            default:
                break
            }
        }
        for p in model.properties { walk(p.type, p.jsonName, []) }
        for (n, cls) in classes {
            for i in cls.properties.indices {
                guard let c = counts[n + "." + cls.properties[i].jsonName] else { continue }
                if c.ro > 0 && c.ro == c.all {
                    cls.properties[i].readOnly = true
                    cls.properties[i].required = false
                }
                if c.co > 0 && c.co == c.all { cls.properties[i].createOnly = true }
            }
        }
    }

    /// Drops read-only nested properties, then properties whose class has no property left
    /// (all of it read-only), and the nested types only they used.
    private func pruneUnreachable() {
        var emptied: Set<String> = []
        for (n, cls) in classes where cls.properties.contains(where: \.readOnly) {
            cls.properties.removeAll(where: \.readOnly)
            if cls.properties.isEmpty { emptied.insert(n) }
        }
        while !emptied.isEmpty {
            func isEmptied(_ p: PropertyModel) -> Bool {
                if case .object(let n) = p.type { return emptied.contains(n) }
                return false
            }
            model.properties.removeAll(where: isEmptied)
            var next: Set<String> = []
            for (n, cls) in classes where cls.properties.contains(where: isEmptied) {
                cls.properties.removeAll(where: isEmptied)
                if cls.properties.isEmpty { next.insert(n) }
            }
            emptied = next
        }
        var seenClasses: Set<String> = [], seenEnums: Set<String> = []
        func visit(_ t: TypeRef) {
            switch t {
            case .list(let e), .map(let e): visit(e)
            case .enumeration(let n): seenEnums.insert(n)
            case .object(let n):
                guard !seenClasses.contains(n), let cls = classes[n] else { return }
                seenClasses.insert(n)
                for p in cls.properties { visit(p.type) }
            default: break
            }
        }
        for p in model.properties { visit(p.type) }
        classes = classes.filter { seenClasses.contains($0.key) }
        model.enums.removeAll { !seenEnums.contains($0.name) }
        for cls in classes.values { cls.enums.removeAll { !seenEnums.contains($0.name) } }
    }

    /// Gives every property a unique member name that no inherited member shadows.
    private func nameMembers() {
        var resourceUsed: Set<String> = []
        func unique(_ props: inout [PropertyModel], reserved: Set<String>, used: inout Set<String>) {
            for i in props.indices {
                var n = props[i].swiftName
                if reserved.contains(n) { n += "Property" }
                var u = n
                var k = 2
                while used.contains(u) { u = "\(n)\(k)"; k += 1 }
                used.insert(u)
                props[i].swiftName = u
            }
        }
        unique(&model.properties, reserved: Naming.resourceMembers, used: &resourceUsed)
        for cls in classes.values {
            var used: Set<String> = []
            unique(&cls.properties, reserved: Naming.propertyObjectMembers, used: &used)
        }
    }

    // MARK: - Tags and attributes

    private func tagFormat() -> TagFormatModel {
        guard schema.taggable != false, let name = schema.tagProperty,
              let p = model.properties.first(where: { $0.jsonName == name })
        else { return .none }
        switch p.type {
        case .list(.tag): return .list(name)
        case .map(.string): return .map(name)
        default: return .none
        }
    }

    private func attributes(_ names: [String]) -> [AttributeModel] {
        var used = Set(model.properties.map(\.swiftName))
        var out: [AttributeModel] = []
        for name in names.sorted() {
            // Patterns (`Outputs\..*`, `.*`) are not attribute names.
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == ".") })
            else { continue }
            var swift = Naming.attributeName(name)
            var k = 2
            while used.contains(swift) { swift = Naming.attributeName(name) + "\(k)"; k += 1 }
            used.insert(swift)
            out.append(AttributeModel(name: name, swiftName: swift, type: attributeType(name)))
        }
        return out
    }

    /// `ListValue<StringValue>` for lists of strings, `NumberValue` / `BoolValue` for numbers
    /// and booleans, `Value` for objects and other lists, else `StringValue`.
    private func attributeType(_ name: String) -> TypeRef {
        var props = schema.properties
        var node: SchemaNode?
        for part in name.split(separator: ".") {
            guard var n = props.first(where: { $0.name == part })?.node else { return .string }
            var hops = 0
            while let r = n.ref, let d = schema.definitions[r], hops < 10 { n = d; hops += 1 }
            node = n
            props = n.properties
        }
        guard let n = node else { return .string }
        if n.types.count > 1 || !n.properties.isEmpty { return .json }
        switch n.types.first {
        case "array"?:
            var item = n.items
            if let r = item?.ref { item = schema.definitions[r] }
            return item?.types == ["string"] ? .list(.string) : .json
        case "integer"?, "number"?: return .number
        case "boolean"?: return .bool
        case "object"?: return .json
        default: return .string
        }
    }
}
