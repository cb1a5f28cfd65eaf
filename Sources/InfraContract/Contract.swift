/// The contracts between synthesis and deployment, in one place that both sides import:
/// the cloud assembly's manifest (`infra.out/manifest.json`, versioned), the toolkit's names
/// and template (what `infra bootstrap` creates and what assets are published to), the
/// resource specs the deployer reads, and CloudFormation's stack and resource statuses.
///
/// It depends on nothing but Foundation, so the deployer does not link the DSL or the
/// generated resource types to read an assembly.
public enum InfraContract {}
