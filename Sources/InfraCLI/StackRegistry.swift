import ExampleStack
import InfraDSL

/// Every stack definition the `infra` executable knows, by the `app` name config files use.
public enum StackRegistry {
    public static let all: [StackDefinition] = [
        StackDefinition(name: "example", summary: "a VPC, a bucket, a queue and a function wired by tokens") {
            app, config in try ExampleStack.build(app, config: config)
        }
    ]
}
