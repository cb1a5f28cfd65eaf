// `Hash` (SHA-256, HMAC-SHA256, MD5) lives in InfraDigest, which InfraAWS shares; re-exported so
// that `import InfraCore` (and InfraDSL) keeps offering it.
@_exported import InfraDigest
