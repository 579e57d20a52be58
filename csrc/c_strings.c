#include "c_strings.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Like many real libraries (SQLite's sqlite3_malloc, for one), c_strings
 * keeps a small header in front of every string it hands out. The pointer the
 * caller sees is NOT the start of the malloc'ed block, which is why only
 * cs_free can release it: free(s) would be given a pointer malloc never
 * returned. The header also lets cs_free notice a string freed twice. */
struct header {
    uint64_t magic; /* CS_ALIVE while the string is the caller's */
    uint64_t size;  /* bytes of the string, with its NUL */
};

#define CS_ALIVE 0x43535452494e4721ULL /* "CSTRING!" */
#define CS_DEAD 0xdeadULL

static const char version[] = "c_strings 1.0";

const char *cs_version(void)
{
    return version;
}

size_t cs_count_vowels(const char *s)
{
    size_t count = 0;
    for (; *s != '\0'; s++) {
        switch (*s) {
        case 'a': case 'e': case 'i': case 'o': case 'u':
        case 'A': case 'E': case 'I': case 'O': case 'U':
            count++;
            break;
        default:
            break;
        }
    }
    return count;
}

char *cs_greet(const char *name)
{
    static const char before[] = "Hello, ";
    static const char after[] = "!";
    if (name == NULL) {
        return NULL;
    }
    size_t name_len = strlen(name);
    if (name_len > CS_NAME_MAX) {
        name_len = CS_NAME_MAX; /* bytes, not characters */
    }
    size_t len = (sizeof before - 1) + name_len + (sizeof after - 1);
    struct header *block = malloc(sizeof *block + len + 1);
    if (block == NULL) {
        return NULL;
    }
    block->magic = CS_ALIVE;
    block->size = len + 1;
    char *s = (char *)(block + 1);
    memcpy(s, before, sizeof before - 1);
    memcpy(s + sizeof before - 1, name, name_len);
    memcpy(s + sizeof before - 1 + name_len, after, sizeof after); /* with NUL */
    return s;
}

void cs_free(char *s)
{
    if (s == NULL) {
        return;
    }
    struct header *block = (struct header *)s - 1;
    if (block->magic != CS_ALIVE) {
        fprintf(stderr, "cs_free: %p is not a live string from cs_greet "
                        "(freed twice, or never returned by cs_greet)\n",
                (void *)s);
        abort();
    }
    block->magic = CS_DEAD;
    free(block);
}
