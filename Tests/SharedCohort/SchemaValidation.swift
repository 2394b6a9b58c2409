import Foundation

/// Validates a JSON document against one of the repository's schemas (`schemas/NAME`) with Python's
/// `jsonschema` (Draft 2020-12), the independent implementation the contract is written for.
public enum SchemaValidation {
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The validation errors (at most five, with their JSON paths); empty when the document is valid.
    public static func errors(validating document: URL, against schemaName: String) throws -> [String] {
        let schema = packageRoot.appendingPathComponent("schemas/\(schemaName)").path
        let script = """
            import json, sys
            import jsonschema
            schema = json.load(open(sys.argv[1]))
            jsonschema.Draft202012Validator.check_schema(schema)
            validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
            errors = list(validator.iter_errors(json.load(open(sys.argv[2]))))
            for error in errors[:5]:
                print(list(error.path), error.message)
            sys.exit(1 if errors else 0)
            """
        let result = try TestProcess.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script, schema, document.path])
        let errors = result.output.split(separator: "\n").map(String.init)
        // Exit 1 with nothing printed is Python failing (jsonschema missing, a bad schema), not a verdict.
        guard result.status == 0 || (result.status == 1 && !errors.isEmpty) else {
            throw TestProcessError.failed(command: "python3 jsonschema validation of \(document.lastPathComponent)", errors: result.errors)
        }
        return errors
    }
}
