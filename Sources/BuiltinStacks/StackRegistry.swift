import CoralPipeline
import DataLabel
import ExampleStack
import InfraCLI
import InfraDSL
import LabelingTool
import MLInference
import Sign2Text

/// Every stack definition the `infra` executable knows, by the `app` name config files use (a
/// module of its own, so the InfraCLI library that users link compiles none of the ready stacks).
public enum StackRegistry {
    public static let all: [StackDefinition] = [
        StackDefinition(name: "example", summary: "a VPC, a bucket, a queue and a function wired by tokens",
                        schema: ExampleStack.Settings.schema) {
            app, config in try ExampleStack.build(app, config: config)
        },
        StackDefinition(name: LabelingToolStack.definitionName, summary: LabelingToolStack.summary,
                        schema: LabelingToolStack.Settings.schema) {
            app, config in try LabelingToolStack.build(app, config: config)
        },
        StackDefinition(name: DataLabelStack.definitionName, summary: DataLabelStack.summary,
                        schema: DataLabelStack.Settings.schema) {
            app, config in try DataLabelStack.build(app, config: config)
        },
        StackDefinition(name: CoralPipelineStack.definitionName, summary: CoralPipelineStack.summary,
                        schema: CoralPipelineStack.Settings.schema) {
            app, config in try CoralPipelineStack.build(app, config: config)
        },
        StackDefinition(name: Sign2TextStack.definitionName, summary: Sign2TextStack.summary,
                        schema: Sign2TextStack.Settings.schema) {
            app, config in try Sign2TextStack.build(app, config: config)
        },
        StackDefinition(name: MLInferenceStack.definitionName, summary: MLInferenceStack.summary,
                        schema: MLInferenceStack.Settings.schema) {
            app, config in try MLInferenceStack.build(app, config: config)
        },
    ]
}
