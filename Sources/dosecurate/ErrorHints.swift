import Support

/// What to type next, by error code: the libraries' messages name no flag (they serve other
/// callers too), so the command line adds its own hint under the error.
enum ErrorHints {
    static func hint(for error: any Error) -> String? {
        guard let coded = error as? any CodedError else { return nil }
        switch coded.code {
        case "lineage.not_a_workspace":
            return "create one with `dosecurate init DIR`, or name one with --workspace DIR or DOSECURATE_WORKSPACE"
        case "run.run_exists": return "choose another --run-id"
        case "train.run_exists": return "choose another --run-id, or continue it with --resume"
        case "run.no_command": return "give it after `--`, e.g. dosecurate run --dataset V --split S -- python train.py"
        case "comparison.mismatched": return "give --allow-mismatch to compare anyway; the output will say so"
        case "evaluation.prediction_looks_like_gy": return "if the predictions are in Gy, evaluate with --dose-unit gy"
        case "evaluation.gamma_map_not_saved": return "evaluate with --save-gamma to keep the maps"
        case "selection.split_of_another_version": return "pass that version with --dataset, or lock a split of this one"
        case "lineage.invalid_split_request": return "see `dosecurate split lock --help` for --ratios, --strata and --folds"
        case "lineage.unknown_dataset": return "`dosecurate list` shows the versions; `latest` names the newest"
        default: return nil
        }
    }
}
