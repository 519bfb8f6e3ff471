// libxml2 for Swift. Debian builds libxml2 with ICU support, and its headers then include
// the system's ICU headers, which clash with the ICU that Foundation bundles in any module
// that imports both. chm never needs libxml2's ICU entry points, so hide them.
#ifndef CHM_CLIBXML2_SHIM_H
#define CHM_CLIBXML2_SHIM_H

#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>
#include <libxml/tree.h>
#include <libxml/uri.h>

#endif
