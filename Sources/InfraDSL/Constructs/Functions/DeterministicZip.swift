import Foundation
import InfraCore
import ZIPFoundation

/// Zips a directory so that the same content always gives the same bytes: entries in sorted
/// path order (the files `Asset.files(in:)` lists: hidden files included, `.git` skipped,
/// symlinks followed), every timestamp 1980-01-01 00:00:00 UTC, permissions 0644 (0755 when
/// the file has an execute bit), no directory entries, deflate compression.
public enum DeterministicZip {
    /// The timestamp of every entry (the earliest a ZIP can hold).
    public static let timestamp = Date(timeIntervalSince1970: 315_532_800)

    /// The zip of `directory`'s files.
    public static func archive(directory: String) throws -> Data {
        let fm = FileManager.default
        let files = try Asset.files(in: directory)
        guard !files.isEmpty else { throw AssemblyError("asset directory '\(directory)' has no files") }
        let archive: Archive
        do {
            archive = try Archive(data: Data(), accessMode: .create)
        } catch {
            throw AssemblyError("cannot create a zip archive in memory: \(error)")
        }
        for rel in files {
            let full = (directory as NSString).appendingPathComponent(rel)
            guard let data = fm.contents(atPath: full) else { throw AssemblyError("cannot read '\(full)'") }
            let mode = ((try? fm.attributesOfItem(atPath: full))?[.posixPermissions] as? NSNumber)?.intValue ?? 0o644
            let permissions: UInt16 = mode & 0o111 != 0 ? 0o755 : 0o644
            do {
                try archive.addEntry(
                    with: rel, type: .file, uncompressedSize: Int64(data.count), modificationDate: timestamp,
                    permissions: permissions, compressionMethod: .deflate
                ) { position, size in
                    let start = Int(position)
                    return data.subdata(in: start..<min(start + size, data.count))
                }
            } catch {
                throw AssemblyError("cannot add '\(rel)' to the zip of '\(directory)': \(error)")
            }
        }
        guard let bytes = archive.data else { throw AssemblyError("cannot read back the zip of '\(directory)'") }
        return bytes
    }

    /// The content hash that names the zip of `directory`: SHA-256 of the packaging format
    /// version and `Asset.hashDirectory` (paths, execute bits and bytes; not timestamps). It
    /// is taken over the directory rather than the zip bytes so that it does not depend on
    /// the zlib version of the machine that synthesizes.
    public static func contentHash(directory: String) throws -> String {
        Hash.sha256Hex("infra-zip-v1\n" + (try Asset.hashDirectory(directory)))
    }
}

/// Where deployment publishes assets: the toolkit `infra bootstrap` creates once per account and
/// region (names in `Toolkit`): the S3 bucket `infra-assets-<account>-<region>` (zipped code,
/// keys `<hash>.zip`) and the ECR repository `infra-assets` (container images, tags `<hash>`).
public enum AssetLocations {
    /// The toolkit's asset bucket in the deploying account and region.
    public static var bucketName: StringValue { Fn.sub(Toolkit.bucketNamePattern, [:]) }
    /// The toolkit's image repository.
    public static var imageRepositoryName: String { Toolkit.repositoryName }

    /// The object key of a zipped asset.
    public static func objectKey(_ assetId: String) -> String { Toolkit.zipObjectKey(assetId) }

    /// The image URI of a container image asset.
    public static func imageUri(_ assetId: String) -> StringValue {
        Fn.sub("${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/\(imageRepositoryName):\(assetId)")
    }

    /// Registers the zip of `directory` as an asset of `scope`'s app (once per content).
    static func zipAsset(_ scope: Construct, directory: String) throws -> Asset {
        let source = URL(fileURLWithPath: directory).standardizedFileURL.path
        let id = try DeterministicZip.contentHash(directory: source)
        if let existing = scope.app.assets.first(where: { $0.id == id }) { return existing }
        // Zipped when the assembly is written, and only if its output folder lacks this zip.
        return scope.app.addAsset(Asset(id: id, kind: .zip, sourcePath: source, assemblyPath: "asset.\(id).zip",
                                        makeStagedData: { try DeterministicZip.archive(directory: source) }))
    }

    /// Registers a Docker build context (a directory with a `Dockerfile`) as an asset whose id
    /// is `Asset.hashDirectory` of it (as ECS image assets use, so one directory is one image).
    static func imageAsset(_ scope: Construct, directory: String) throws -> Asset {
        let source = URL(fileURLWithPath: directory).standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: (source as NSString).appendingPathComponent("Dockerfile")) else {
            throw AssemblyError("'\(directory)' has no Dockerfile")
        }
        let id = try Asset.hashDirectory(source)
        return scope.app.addAsset(Asset(id: id, kind: .containerImage, sourcePath: source, assemblyPath: "asset.\(id)"))
    }
}
