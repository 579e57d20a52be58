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
//! The safe functions below never panic on bad strings: a Rust string with a
//! NUL inside, C bytes that are not UTF-8 and a null from C are each a
//! [`StringError`] returned to the caller.

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
    match pointer {
        // A string literal in C's static storage.
        Pointer::Version => FreedBy::Nobody,
        // malloc'ed by the library, behind its own header.
        Pointer::Greeting => FreedBy::CsFree,
        // Owned by the CString; C only borrows it during the call.
        Pointer::NameArgument => FreedBy::RustDrop,
    }
}

/// The library's version. C's string is static, so it is borrowed for
/// `'static`, without a copy.
pub fn version() -> Result<&'static str, StringError> {
    // SAFETY: cs_version takes no arguments and returns a pointer to a
    // NUL-terminated string in static storage (csrc/c_strings.h).
    let raw = unsafe { cs_version() };
    if raw.is_null() {
        return Err(StringError::Null {
            function: "cs_version",
        });
    }
    // SAFETY: `raw` is non-null, NUL-terminated, never written and never
    // freed: valid for the whole program, so for 'static.
    let version: &'static CStr = unsafe { CStr::from_ptr(raw) };
    Ok(version.to_str()?)
}

/// The number of ASCII vowels in `text`, counted by C.
pub fn count_vowels(text: &str) -> Result<usize, StringError> {
    // Kept in a variable: the pointer below is valid only while it lives.
    let text = CString::new(text)?;
    // SAFETY: `text` is a NUL-terminated string that outlives the call, and
    // cs_count_vowels only reads it and keeps no pointer to it.
    Ok(unsafe { cs_count_vowels(text.as_ptr()) })
}

/// Calls `cs_greet(name)`, lets `read` copy what it needs from C's string,
/// then gives the string back to `cs_free`, whatever `read` found.
fn with_greeting<T>(name: &str, read: impl FnOnce(&CStr) -> T) -> Result<T, StringError> {
    let name = CString::new(name)?;
    // SAFETY: `name` is a NUL-terminated string that outlives the call;
    // cs_greet reads it and keeps no pointer to it.
    let raw = unsafe { cs_greet(name.as_ptr()) };
    if raw.is_null() {
        return Err(StringError::Null {
            function: "cs_greet",
        });
    }
    // SAFETY: `raw` is a non-null, NUL-terminated string from cs_greet,
    // valid until cs_free. The &CStr lent to `read` cannot outlive this
    // statement, so no borrow of it survives the free below.
    let result = read(unsafe { CStr::from_ptr(raw) });
    // SAFETY: `raw` came from cs_greet, is freed exactly once, here, and
    // nothing refers to it any more (`result` owns its own copy).
    unsafe { cs_free(raw) };
    Ok(result)
}

/// `"Hello, NAME!"`, made by C. Bytes that are not UTF-8 (C cuts long names
/// after `CS_NAME_MAX` bytes, which may split a character) are an error.
pub fn greet(name: &str) -> Result<String, StringError> {
    with_greeting(name, |greeting| Ok(greeting.to_str()?.to_owned()))?
}

/// Like [`greet`], but bytes that are not UTF-8 become U+FFFD (`�`), as the
/// caller asked.
pub fn greet_lossy(name: &str) -> Result<String, StringError> {
    with_greeting(name, |greeting| greeting.to_string_lossy().into_owned())
}
