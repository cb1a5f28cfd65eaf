// The contracts synthesis shares with deployment (the manifest types `CloudAssembly.manifest`
// returns, the toolkit's names the constructs reference) are part of this module's API.
@_exported import InfraContract
