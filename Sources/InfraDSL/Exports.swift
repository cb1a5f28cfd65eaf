@_exported import InfraCore
@_exported import InfraResources
