//! Lesson 7's memory checks, under valgrind: every wrapper is called, on
//! every path (success, a refused name, a greeting that is not UTF-8), and
//! valgrind reports any read of freed memory (a dangling `as_ptr()`), any
//! string freed with the wrong function (Rust's allocator, or `free`, instead
//! of `cs_free`) and any string never given back (a leak).
//!
//! In an ordinary run these mistakes usually go unseen: freed memory still
//! holds the old bytes, and a leak changes no value. That is why they are
//! checked here, and why the exercise can look right without valgrind.

use workbook_support::memcheck::{self, Kind};

/// Run by `valgrind_finds_no_memory_mistakes`, inside valgrind.
#[test]
#[ignore = "run under valgrind by valgrind_finds_no_memory_mistakes"]
fn every_wrapper_on_every_path() {
    for _ in 0..3 {
        let _ = c_strings::version();
        let _ = c_strings::count_vowels("Foreign function interface");
        let _ = c_strings::count_vowels("two\0parts");
        let _ = c_strings::greet("Ada");
        let _ = c_strings::greet_lossy("Ada");
        // Not UTF-8: the error path must give the string back too.
        let _ = c_strings::greet("Ana María Martínez");
        let _ = c_strings::greet_lossy("Ana María Martínez");
        let _ = c_strings::greet("nul\0inside");
    }
}

/// What to do about each kind of mistake, in this lesson.
fn advice(kind: Kind) -> &'static str {
    match kind {
        Kind::UseAfterFree => {
            "C read a string after Rust had freed it: a pointer from CString::as_ptr() is \
             valid only while that CString lives. `CString::new(s)?.as_ptr()` drops the \
             CString at the end of the statement and keeps a dangling pointer: keep the \
             CString in a variable until C has returned (section \"How long as_ptr() lives\")."
        }
        Kind::WrongFree | Kind::MismatchedFree => {
            "Only cs_free may release what cs_greet returned: not CString::from_raw, not \
             String::from_raw_parts, not libc's free. Copy C's string into a String \
             (CStr::from_ptr, then to_str or to_string_lossy, then an owned copy), then call \
             cs_free on C's pointer (section \"Who frees what\")."
        }
        Kind::Leak => {
            "Every string cs_greet returns must go back to cs_free, exactly once, after you \
             have copied it, and on the error path too (a greeting that is not UTF-8 is still \
             C's memory). See \"Who frees what\"."
        }
        Kind::FreedTwice => {
            "Each string from cs_greet goes to cs_free exactly once: not once in your code and \
             again elsewhere, and never a string Rust still owns."
        }
        Kind::OutOfBounds | Kind::Other => {
            "A C string must end with a NUL: pass CString::as_ptr(), never a &str's as_ptr() \
             (Rust strings have no NUL at the end)."
        }
    }
}

#[test]
fn valgrind_finds_no_memory_mistakes() {
    memcheck::assert_no_memory_mistakes("every_wrapper_on_every_path", advice);
}
