#ifndef DOSECURATE_CLIBFUZZER_SHIM_H
#define DOSECURATE_CLIBFUZZER_SHIM_H
#include <stddef.h>
#include <stdint.h>

// libFuzzer's driver entry point (compiler-rt FuzzerInterface.h, LLVM 11 and later), linked in by
// `-sanitize=fuzzer`. SwiftPM renames an executable's `main` on Linux, so libFuzzer's own `main`
// never runs: the harness's `main` hands the command line to this instead.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
#endif
