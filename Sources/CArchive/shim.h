#ifndef DOSECURATE_CARCHIVE_SHIM_H
#define DOSECURATE_CARCHIVE_SHIM_H
#include <archive.h>
#include <archive_entry.h>

// libarchive's status codes are macros; Swift imports them, but naming them here keeps
// call sites readable and independent of how the macros are spelled.
static inline int dc_archive_ok(void) { return ARCHIVE_OK; }
static inline int dc_archive_eof(void) { return ARCHIVE_EOF; }
static inline int dc_archive_warn(void) { return ARCHIVE_WARN; }
static inline int dc_archive_retry(void) { return ARCHIVE_RETRY; }
static inline int dc_archive_failed(void) { return ARCHIVE_FAILED; }
static inline int dc_archive_fatal(void) { return ARCHIVE_FATAL; }
static inline unsigned int dc_archive_regular_file_type(void) { return AE_IFREG; }
static inline unsigned int dc_archive_directory_type(void) { return AE_IFDIR; }
static inline unsigned int dc_archive_symlink_type(void) { return AE_IFLNK; }
#endif
