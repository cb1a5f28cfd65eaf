import Foundation
import InfraDSL

extension CoralPipelineStack {
    /// The folder of the schema initializer's code: `functions/coral-pipeline/schema-init` of
    /// this package (`app.py` and `cfn_response.py`, a link to `functions/shared/cfn_response.py`),
    /// zipped as the function's asset. Found from this source file's location (as CDK finds the
    /// handlers it ships next to its modules), so it does not depend on the working directory.
    public static let schemaInitializerDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // CoralPipeline
        .deletingLastPathComponent()  // Stacks
        .deletingLastPathComponent()  // Sources
        .deletingLastPathComponent()  // the package root
        .appendingPathComponent("functions/coral-pipeline/schema-init").path

    /// The schema initializer (`Custom::CoralSchema`'s function, Python 3.13 with boto3,
    /// `app.handler`): runs `Statements` through the RDS Data API, so it needs no VPC and no
    /// database driver; see `functions/coral-pipeline/schema-init/app.py`.
    static func schemaInitializer(_ stack: Stack) -> Function {
        Function(stack, "SchemaInitializer", code: .directory(schemaInitializerDirectory), handler: "app.handler",
                 runtime: .python3_13, description: "Creates the coral pipeline's tables through the RDS Data API",
                 memory: .mebibytes(256), timeout: .minutes(5))
    }

    /// The seed's schema: `coral_coverage`, created if it does not exist.
    public static let schemaStatements = [
        """
        CREATE TABLE IF NOT EXISTS coral_coverage(
            island VARCHAR(30) NOT NULL,
            location INT NOT NULL,
            year INT NOT NULL,
            coverage DECIMAL(5,2) NOT NULL,
            last_update DATE NOT NULL,
            PRIMARY KEY (island, location, year)
        )
        """,
    ]
}
