import InfraDigest

/// The digests signing and S3 use: InfraDigest's, shared with synthesis.
typealias Crypto = Hash
