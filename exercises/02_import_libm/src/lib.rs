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
pub fn libm_file_name(os: &str) -> Option<&'static str> {
    // TODO: the file name `ffi.dlopen` needs, chosen while the program runs:
    // a `match` on `os`, one arm per system this lesson knows, and `None` for
    // any other. Read "The file's name on each system" on the lesson's page.
    // - Linux: shared libraries end in `.so`, and the maths library carries its
    //   version number as well. Which file is it? Look:
    //   `ls /usr/lib*/libm.so* /usr/lib*/*/libm.so*`,
    //   and `cat` the one without a number to see why it is not the answer.
    // - macOS: shared libraries end in `.dylib`.
    // - Windows: libraries end in `.dll` and do not start with `lib`; C's
    //   maths functions live in the Universal C Runtime, `ucrtbase.dll`.
    // (The Python lesson has the endings backwards; the lesson page has them right.)
    let _ = os;
    todo!("lesson 2: write libm_file_name in exercises/02_import_libm/src/lib.rs")
}

/// The type of C's `float sqrtf(float x);` as a Rust function pointer: this
/// is what `ffi.cdef` says in the Python lesson.
///
/// `extern "C"` says the function uses C's calling convention, and `unsafe`
/// says that calling it is something Rust cannot check (it only has our word
/// for the type).
// TODO: this placeholder (a function with no arguments and no result)
// compiles, but it is not sqrtf's type. Write the type of C's
// `float sqrtf(float x);` as a Rust function-pointer type: it must say that
// the function uses C's calling convention, that calling it is unsafe, and
// which Rust type stands for C's `float`, going in and coming out. This is
// the CFFI `ffi.cdef` line. Read "Step 2: say what the function looks like"
// on the lesson's page; the check compares your type with the right one.
pub type Sqrtf = unsafe extern "C" fn();

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
    // TODO: the Python lesson's three steps, `ffi.dlopen`, `ffi.cdef` and
    // `lib.sqrtf(4)`, on the system this program runs on:
    // 1. Which file? Ask `libm_file_name` about the running system (its doc
    //    comment says where Rust keeps the system's name). On a system it does
    //    not know, return the `LibmError` that says so, instead of panicking.
    // 2. Open that file: `libloading::Library::new` (C's `dlopen`).
    // 3. Find `sqrtf` in it with `Library::get`, asking for a
    //    `libloading::Symbol` of your `Sqrtf` type (C's `dlsym`), and call it.
    // Each of the three library steps is `unsafe`: write a `// SAFETY:`
    // comment saying why each is fine here. `?` turns a `libloading::Error`
    // into a `LibmError` (the `From` impl above). Read "Step 1: open the
    // library" and "Step 3: find it and call it" on the lesson's page.
    let _ = x;
    todo!("lesson 2: write sqrtf in exercises/02_import_libm/src/lib.rs")
}
