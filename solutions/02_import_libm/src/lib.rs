//! Lesson 2: import the C maths library (libm) at run time and call `sqrtf`.
//!
//! The Python lesson does it in three lines:
//!
//! ```python
//! lib = ffi.dlopen("libm.so.6")          # open the library file
//! ffi.cdef("float sqrtf(float x);")      # say what sqrtf looks like
//! a = lib.sqrtf(4)                       # call it
//! ```
//!
//! In Rust the three steps are the same: `libloading::Library::new` opens
//! the file, a function-pointer type says what `sqrtf` looks like, and
//! `Library::get` finds the function so that you can call it.

use std::fmt;

/// The file name of the C maths library on the operating system `os`,
/// spelled as [`std::env::consts::OS`] spells it: `"linux"`, `"macos"`,
/// `"windows"`. `None` for any other system.
///
/// - Linux: `libm.so.6`. The `6` is the library's version, and it is part
///   of the file name the system installs. A plain `libm.so` may exist too,
///   but only with the C development package, and on most distributions it
///   is a small *linker script* (a text file for `ld`), not a library:
///   `dlopen` cannot load it ("invalid ELF header").
/// - macOS: `libm.dylib` (macOS libraries end in `.dylib`; libm is part of
///   the system library, and the name is kept for programs that ask for it).
/// - Windows: `ucrtbase.dll`, the Universal C Runtime, which is where
///   Windows keeps C's maths functions. Windows library names end in `.dll`
///   and do not start with `lib`: there is no `libm.dll`.
pub fn libm_file_name(os: &str) -> Option<&'static str> {
    match os {
        "linux" => Some("libm.so.6"),
        "macos" => Some("libm.dylib"),
        "windows" => Some("ucrtbase.dll"),
        _ => None,
    }
}

/// The type of C's `float sqrtf(float x);` as a Rust function pointer: this
/// is what `ffi.cdef` says in the Python lesson.
///
/// C's `float` is Rust's `f32`. `extern "C"` says the function uses C's
/// calling convention, and `unsafe` says that calling it is something Rust
/// cannot check (it only has our word for the type).
pub type Sqrtf = unsafe extern "C" fn(f32) -> f32;

/// Why [`sqrtf`] could not call C's `sqrtf`.
#[derive(Debug)]
pub enum LibmError {
    /// [`libm_file_name`] knows no maths library for this operating system.
    UnknownOs(&'static str),
    /// The library could not be opened, or has no `sqrtf` in it.
    Load(libloading::Error),
}

impl fmt::Display for LibmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LibmError::UnknownOs(os) => {
                write!(f, "libm_file_name does not know libm's file name on {os:?}")
            }
            LibmError::Load(err) => {
                write!(f, "could not load sqrtf from libm: {err}")?;
                // libloading keeps the system's own message (the part that
                // says *why*) in the error's source.
                if let Some(why) = std::error::Error::source(err) {
                    write!(f, ": {why}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for LibmError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LibmError::UnknownOs(_) => None,
            LibmError::Load(err) => Some(err),
        }
    }
}

impl From<libloading::Error> for LibmError {
    fn from(err: libloading::Error) -> Self {
        LibmError::Load(err)
    }
}

/// The square root of `x`, computed by C's `sqrtf` from the system's libm,
/// loaded at run time.
pub fn sqrtf(x: f32) -> Result<f32, LibmError> {
    let os = std::env::consts::OS;
    let file_name = libm_file_name(os).ok_or(LibmError::UnknownOs(os))?;

    // SAFETY: opening a library runs its initialisation code. libm is the
    // system's own C maths library, whose initialisers are safe to run.
    let library = unsafe { libloading::Library::new(file_name) }?;

    // SAFETY: `Sqrtf` is exactly the type C declares for `sqrtf` in
    // <math.h>: `float sqrtf(float)`. The symbol borrows `library`, so it
    // cannot outlive the loaded library.
    let sqrtf: libloading::Symbol<Sqrtf> = unsafe { library.get(b"sqrtf") }?;

    // SAFETY: sqrtf takes and returns a float by value and accepts every
    // float (negative numbers and NaN give NaN), so any `x` is fine.
    Ok(unsafe { sqrtf(x) })
}
