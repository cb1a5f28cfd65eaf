// StackDefinition, Project and the app protocol's commands live in InfraApp (the synthesis side
// a project's app links); `import InfraCLI` keeps giving them.
@_exported import InfraApp
