#ifndef DOSECURATE_CXML2_SHIM_H
#define DOSECURATE_CXML2_SHIM_H
#include <libxml/xmlversion.h>
// Debian builds libxml2 with ICU, and encoding.h then pulls in ICU's headers, which clash with
// Foundation's private copy of ICU in any module importing both. dosecurate never touches the
// ICU converter fields of xmlCharEncodingHandler, so hide them.
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>
#include <libxml/xmlmemory.h>
#include <libxml/xmlsave.h>
#include <libxml/xmlerror.h>

// xmlFree is a global function pointer; Swift 6 refuses to touch mutable C globals.
static inline void dc_xml_free(void *pointer) { xmlFree(pointer); }
#endif
