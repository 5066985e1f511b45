/** The global the instrumented code counts in (istanbul's per-file coverage objects, by path). */
export const COVERAGE_VARIABLE = "__savevm_fuzz_coverage__";
