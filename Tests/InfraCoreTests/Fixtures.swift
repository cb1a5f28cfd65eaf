import InfraCore
import XCTest

/// Small hand-written resource types, so the core is tested apart from the generated layer.
final class Widget: Resource {
    override class var resourceType: String { "Test::Widget" }
    override class var tagFormat: TagFormat { .list("Tags") }

    var name: StringValue?
    var size: NumberValue?
    var enabled: BoolValue?
    var items: ListValue<StringValue>?
    var labels: MapValue<StringValue>?
    var mode: Mode?
    var settings: Settings?
    var tags: ListValue<Tag>?

    struct Mode: StringEnum {
        let token: Value
        init(token: Value) { self.token = token }
        static let allowedValues = ["fast", "slow"]
        static var fast: Self { "fast" }
    }

    final class Settings: PropertyObject {
        var key: StringValue?
        var limit: NumberValue?
        override func write(to w: inout ObjectWriter) {
            w.require("Key", key)
            w.put("Limit", limit)
        }
    }

    override func writeProperties(to w: inout ObjectWriter) {
        w.put("Enabled", enabled)
        w.put("Items", items)
        w.put("Labels", labels)
        w.put("Mode", mode)
        w.require("Name", name)
        w.put("Settings", settings)
        w.put("Size", size)
        w.put("Tags", tags)
    }

    var attrArn: StringValue { getAtt("Arn") }
}

final class Gadget: Resource {
    override class var resourceType: String { "Test::Gadget" }
    override class var tagFormat: TagFormat { .map("Tags") }
    var target: StringValue?
    var tags: MapValue<StringValue>?
    override func writeProperties(to w: inout ObjectWriter) {
        w.put("Tags", tags)
        w.put("Target", target)
    }
}

/// Synthesizes and returns the template of `stack` as a resolved value.
func template(_ app: App, _ stack: String, file: StaticString = #filePath, line: UInt = #line) throws -> Value {
    let assembly = try app.synthesize()
    guard let s = assembly.stacks.first(where: { $0.stackName == stack }) else {
        XCTFail("no stack \(stack)", file: file, line: line)
        return .null
    }
    return s.template
}

/// The diagnostics of a synthesis that must fail.
func diagnostics(_ app: App, file: StaticString = #filePath, line: UInt = #line) -> [String] {
    do {
        _ = try app.synthesize()
        XCTFail("synthesis succeeded but should have failed", file: file, line: line)
        return []
    } catch let e as SynthesisError {
        return e.diagnostics.map(\.description)
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
        return []
    }
}

extension Value {
    /// Follows a path of object keys and array indexes (`"Resources.Thing.Properties"`).
    func at(_ path: String) -> Value? {
        var v: Value? = self
        for part in path.split(separator: ".") {
            if let i = Int(part), case .array(let items)? = v {
                v = i < items.count ? items[i] : nil
            } else {
                v = v?[String(part)]
            }
        }
        return v
    }
}
