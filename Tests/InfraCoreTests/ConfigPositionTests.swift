import InfraCore
import XCTest

/// Error positions in config files: ASCII text is scanned byte by byte, other text by character;
/// both give the same line and column (a character is one column, escapes included).
final class ConfigPositionTests: XCTestCase {
    private func message(_ text: String) -> String? {
        do {
            _ = try StackConfig.parse(text, file: "config/x.json")
            return nil
        } catch {
            return (error as? ConfigError)?.description
        }
    }

    func testASCIIAndNonASCIITextGiveTheSamePositions() {
        let ascii = "{\n  \"app\": \"e\",\n  \"description\": \"a \\\"quoted\\\" word\",\n  \"account\": \"12\"\n}"
        let accented = "{\n  \"app\": \"e\",\n  \"description\": \"é \\\"quoted\\\" wörd\",\n  \"account\": \"12\"\n}"
        let expected = "config/x.json: key 'account': '12' is not a 12-digit AWS account id (line 4, column 3)"
        XCTAssertEqual(message(ascii), expected)
        XCTAssertEqual(message(accented), expected)
        // A key after an escaped quote inside a key, on the same line.
        XCTAssertEqual(message("{\"app\": \"e\", \"tags\": {\"a\\\"b\": \"x\", \"c\": 1}}"),
                       "config/x.json: key 'tags.c': must be a string, found a number (line 1, column 36)")
        XCTAssertEqual(message("{\"app\": \"é\", \"tags\": {\"a\\\"b\": \"x\", \"c\": 1}}"),
                       "config/x.json: key 'tags.c': must be a string, found a number (line 1, column 36)")
    }
}
