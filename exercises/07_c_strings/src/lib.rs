//! Lesson 7: C strings, in both directions, and who frees them.
//!
//! `csrc/c_strings.c` (compiled into this crate by build.rs) has
//!
//! ```c
//! const char *cs_version(void);            /* static: nobody frees it       */
//! size_t cs_count_vowels(const char *s);  /* reads s during the call only  */
//! char *cs_greet(const char *name);       /* allocated: give it to cs_free */
//! void cs_free(char *s);
//! ```
//!
//! The safe functions never panic on bad strings: a Rust string with a NUL
//! inside, C bytes that are not UTF-8 and a null from C are each a
//! [`StringError`] returned to the caller.
//!
//! You fill in the functions marked TODO; the C declarations, the error type
//! and its conversions are given.

// Until every TODO is done, some of what is given is not used yet.
#![allow(dead_code, unused_imports)]

use std::error::Error;
use std::ffi::{CStr, CString, NulError, c_char};
use std::fmt;
use std::str::Utf8Error;

// The C functions, declared from csrc/c_strings.h. `size_t` is `usize` on
// every platform Rust supports.
unsafe extern "C" {
    fn cs_version() -> *const c_char;
    fn cs_count_vowels(s: *const c_char) -> usize;
    fn cs_greet(name: *const c_char) -> *mut c_char;
    fn cs_free(s: *mut c_char);
}

/// Why a string could not cross the boundary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StringError {
    /// The Rust string has a NUL byte at `position`: C would stop reading
    /// there, so it would see only the part before it.
    InteriorNul { position: usize },
    /// C returned bytes that are not UTF-8; the first `valid_up_to` bytes are.
    NotUtf8 { valid_up_to: usize },
    /// A C function returned a null pointer instead of a string.
    Null { function: &'static str },
}

impl fmt::Display for StringError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StringError::InteriorNul { position } => write!(
                f,
                "the string has a NUL byte at position {position}: C would see only the \
                 {position} bytes before it"
            ),
            StringError::NotUtf8 { valid_up_to } => write!(
                f,
                "C returned bytes that are not UTF-8 (only the first {valid_up_to} are)"
            ),
            StringError::Null { function } => write!(f, "{function} returned a null pointer"),
        }
    }
}

impl Error for StringError {}

impl From<NulError> for StringError {
    fn from(error: NulError) -> Self {
        StringError::InteriorNul {
            position: error.nul_position(),
        }
    }
}

impl From<Utf8Error> for StringError {
    fn from(error: Utf8Error) -> Self {
        StringError::NotUtf8 {
            valid_up_to: error.valid_up_to(),
        }
    }
}

/// A pointer the library hands out or is handed, for [`who_frees`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pointer {
    /// What `cs_version()` returns.
    Version,
    /// What `cs_greet(name)` returns.
    Greeting,
    /// The `name` a wrapper passes to `cs_greet` (from `CString::as_ptr`).
    NameArgument,
}

/// Who must release the memory behind a pointer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FreedBy {
    /// Nobody: it is static, and lives as long as the program.
    Nobody,
    /// The library, through `cs_free`, exactly once.
    CsFree,
    /// Rust, when the value owning it is dropped.
    RustDrop,
}

/// The question of the lesson, answered before any code: who frees each
/// pointer that crosses the boundary?
pub fn who_frees(pointer: Pointer) -> FreedBy {
    // TODO (the question of the lesson, section "Who frees what"): for each
    // pointer, who releases its memory? Read csrc/c_strings.h: which one is
    // static, which one did the library allocate, and which one does Rust
    // own while C only borrows it? Every wrapper below follows your answer.
    let _ = pointer;
    todo!("answer who_frees (src/lib.rs)")
}

/// The library's version. C's string is static, so it is borrowed for
/// `'static`, without a copy.
pub fn version() -> Result<&'static str, StringError> {
    // TODO (section "CStr: a C string on its way to Rust"): call
    // `cs_version()`, refuse a null pointer (StringError::Null), and view C's
    // bytes as a `&'static str` without copying them: C's string is static,
    // so the borrow may last as long as the program. Bytes that are not
    // UTF-8 are StringError::NotUtf8 (the From impl above makes `?` do it),
    // never a panic. Say in a `// SAFETY:` comment why 'static is sound.
    todo!("write version (src/lib.rs)")
}

/// The number of ASCII vowels in `text`, counted by C.
pub fn count_vowels(text: &str) -> Result<usize, StringError> {
    // TODO (sections "CString: a Rust string on its way to C" and "How long
    // as_ptr() lives"): give C a NUL-terminated copy of `text` (a NUL inside
    // `text` is StringError::InteriorNul, returned with `?`, never a panic),
    // and make sure that copy is still alive while `cs_count_vowels` reads
    // it. C's `size_t` is Rust's `usize`.
    let _ = text;
    todo!("write count_vowels (src/lib.rs)")
}

/// Calls `cs_greet(name)`, lets `read` copy what it needs from C's string,
/// then gives the string back to `cs_free`, whatever `read` found.
fn with_greeting<T>(name: &str, read: impl FnOnce(&CStr) -> T) -> Result<T, StringError> {
    // TODO (section "Who frees what"): the mirror of C's
    //     char *greeting = cs_greet(name); /* use it */ cs_free(greeting);
    // 1. Lend C the name as in count_vowels.
    // 2. Call cs_greet; a null result is StringError::Null.
    // 3. Let `read` copy what it needs from C's string (as a &CStr).
    // 4. Give C's pointer back to cs_free, exactly once, whatever `read`
    //    returned: never Rust's allocator, never forgotten.
    let _ = (name, read);
    todo!("write with_greeting (src/lib.rs)")
}

/// `"Hello, NAME!"`, made by C. Bytes that are not UTF-8 (C cuts long names
/// after `CS_NAME_MAX` bytes, which may split a character) are an error.
pub fn greet(name: &str) -> Result<String, StringError> {
    // TODO (section "CStr: a C string on its way to Rust"): call
    // with_greeting with a closure that copies the &CStr into a String,
    // turning bytes that are not UTF-8 into StringError::NotUtf8 (with `?`).
    // The closure may return a Result of its own.
    let _ = name;
    todo!("write greet (src/lib.rs)")
}

/// Like [`greet`], but bytes that are not UTF-8 become U+FFFD (`�`), as the
/// caller asked.
pub fn greet_lossy(name: &str) -> Result<String, StringError> {
    // TODO: the same, but the caller asked for a lossy copy: bytes that are
    // not UTF-8 become U+FFFD instead of an error.
    let _ = name;
    todo!("write greet_lossy (src/lib.rs)")
}
