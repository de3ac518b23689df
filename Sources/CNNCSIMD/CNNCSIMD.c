// CNNCSIMD is a header of inline functions (include/CNNCSIMD.h); SwiftPM
// builds a C target only from a source file, so this one includes it.
#include "CNNCSIMD.h"
