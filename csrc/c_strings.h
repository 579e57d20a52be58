/* c_strings: a small C library that works on NUL-terminated strings, the way
 * most C libraries do. Lesson 7 wraps it in safe Rust.
 *
 * Who owns what:
 *   - strings passed IN (const char *) stay the caller's: the library reads
 *     them during the call and keeps no pointer to them afterwards;
 *   - cs_version() returns a string in static storage: it lives as long as
 *     the program, and nobody frees it;
 *   - cs_greet() returns a string the LIBRARY allocated: give it back with
 *     cs_free(), exactly once, and with nothing else (not free(), not Rust's
 *     allocator: the library keeps a header in front of each string). */
#ifndef C_STRINGS_H
#define C_STRINGS_H

#include <stddef.h>

/* At most this many bytes of a name go into a greeting. C counts bytes, not
 * characters: a name cut here may end in the middle of a UTF-8 character. */
#define CS_NAME_MAX 16

/* The library's version, e.g. "c_strings 1.0". Static: never free it. */
const char *cs_version(void);

/* The number of ASCII vowels (a, e, i, o, u, either case) in s, which must
 * be a NUL-terminated string. Bytes that are not ASCII are not vowels. */
size_t cs_count_vowels(const char *s);

/* A new string "Hello, NAME!", with at most CS_NAME_MAX bytes of name.
 * NULL when name is NULL or memory runs out. The caller must give the
 * result back with cs_free(). */
char *cs_greet(const char *name);

/* Frees a string returned by cs_greet. cs_free(NULL) does nothing. Any other
 * pointer, or the same string twice, is undefined behaviour (this library
 * aborts when it notices). */
void cs_free(char *s);

#endif
