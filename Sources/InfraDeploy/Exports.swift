// The contracts deployment shares with synthesis (the manifest types, `AssetKind`, the toolkit's
// names and template) are part of this module's API.
@_exported import InfraContract
