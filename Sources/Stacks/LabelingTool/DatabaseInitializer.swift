import Foundation
import InfraDSL

extension LabelingToolStack {
    /// The folder of the database initializer's code: `functions/labeling-tool/db-init` of this
    /// package (`app.py`, Amazon RDS's CA bundle `global-bundle.pem`, and `cfn_response.py`, a link
    /// to `functions/shared/cfn_response.py`), zipped as the function's asset. It is found from
    /// this source file's location, the way CDK finds the handlers it ships next to its modules:
    /// the handler belongs to the stack library, not to the project that synthesizes, so it does
    /// not depend on the working directory. (A binary moved away from its source tree reports the
    /// missing folder when it synthesizes, naming the function's construct path.)
    public static let databaseInitializerDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // LabelingTool
        .deletingLastPathComponent()  // Stacks
        .deletingLastPathComponent()  // Sources
        .deletingLastPathComponent()  // the package root
        .appendingPathComponent("functions/labeling-tool/db-init").path

    /// The first Aurora PostgreSQL major version whose default cluster parameter group stores
    /// passwords as SCRAM (`password_encryption` = scram-sha-256): the initializer logs in with
    /// SCRAM-SHA-256 only, so an older engine would store the master password as MD5 and the
    /// initializer would refuse the server's MD5 request.
    public static let scramDefaultMajorVersion = 14

    /// The database initializer (`Custom::DatabaseInit`'s function, Python 3.13, `app.handler`)
    /// in the private subnets. It reads the cluster's secret, connects to the cluster endpoint over
    /// TLS verified against the RDS CA bundle (host name included), logs in with SCRAM-SHA-256 only
    /// (never sending the password, refusing cleartext and MD5 requests) and creates the database
    /// unless it exists; see `functions/labeling-tool/db-init/app.py`.
    static func databaseInitializer(_ stack: Stack, _ s: Settings, vpc: VpcRef) -> Function {
        let major = Int(s.dbEngineVersion.prefix { $0.isNumber }) ?? 0
        if major < scramDefaultMajorVersion {
            stack.app.report(path: stack.path + "/DatabaseInitializer",
                             "DB_ENGINE_VERSION: Aurora PostgreSQL \(s.dbEngineVersion) stores passwords as MD5 by default; the database initializer logs in with SCRAM-SHA-256 only (it never answers an MD5 or cleartext password request): use version \(scramDefaultMajorVersion) or later")
        }
        return Function(stack, "DatabaseInitializer", code: .directory(databaseInitializerDirectory), handler: "app.handler",
                        runtime: .python3_13, description: "Creates the labeling tool's database in the Aurora cluster",
                        memory: .mebibytes(256), timeout: .minutes(2), vpc: vpc, subnetType: .privateWithEgress)
    }
}
