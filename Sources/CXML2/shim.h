#ifndef DOSECURATE_CXML2_SHIM_H
#define DOSECURATE_CXML2_SHIM_H
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>
#include <libxml/xmlmemory.h>

// xmlFree is a global function pointer; Swift 6 refuses to touch mutable C globals.
static inline void dc_xml_free(void *pointer) { xmlFree(pointer); }
#endif
