/* dll_export.h: marks the functions a shared library offers to its callers.
 *
 * A Linux .so or a macOS .dylib offers every function that is not `static`.
 * A Windows DLL offers only the functions marked __declspec(dllexport) when
 * it is built: without the mark, it would offer nothing, and there would be
 * nothing to look up or link against. The checker builds the workbook's DLLs
 * with WORKBOOK_DLL defined; everywhere else DLL_EXPORT is nothing at all. */
#ifndef DLL_EXPORT_H
#define DLL_EXPORT_H

#if defined(_WIN32) && defined(WORKBOOK_DLL)
#define DLL_EXPORT __declspec(dllexport)
#else
#define DLL_EXPORT
#endif

#endif
