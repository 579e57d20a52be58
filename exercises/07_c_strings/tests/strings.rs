//! Lesson 7's checks of values and errors: the question of who frees what,
//! the static version string (borrowed, not copied), strings lent to C
//! (interior NULs refused), strings C allocated (copied out, not-UTF-8
//! refused or replaced as asked), and the program's output. What a wrapper
//! does with memory is checked by tests/memory.rs, under valgrind.

use std::ffi::c_char;

use c_strings::{FreedBy, Pointer, StringError};

// The C, called directly by these checks to compare with the wrappers.
unsafe extern "C" {
    fn cs_version() -> *const c_char;
}

#[test]
fn who_frees_each_pointer() {
    // The lesson's question: a failure asks it again, it never names the answer.
    for (pointer, want, question) in [
        (
            Pointer::Version,
            FreedBy::Nobody,
            "Where does the string cs_version returns live, and for how long? Read \
             csrc/c_strings.h's note on cs_version",
        ),
        (
            Pointer::Greeting,
            FreedBy::CsFree,
            "Who allocated the string cs_greet returns, and what does csrc/c_strings.h say \
             about giving it back? Only the allocator that made a block can release it",
        ),
        (
            Pointer::NameArgument,
            FreedBy::RustDrop,
            "Who made the name you pass to cs_greet, and does C keep it after the call?",
        ),
    ] {
        let said = c_strings::who_frees(pointer);
        assert!(
            said == want,
            "who_frees(Pointer::{pointer:?}) is FreedBy::{said:?}, which is not right. \
             {question} (the lesson's section \"Who frees what\")."
        );
    }
}

#[test]
fn version_borrows_cs_static_string() {
    let version = c_strings::version()
        .unwrap_or_else(|error| panic!("version() failed on C's valid version string: {error}"));
    assert_eq!(
        version, "c_strings 1.0",
        "version() should be C's string, unchanged"
    );
    // SAFETY: no arguments; returns a pointer to a static string.
    let c_static = unsafe { cs_version() };
    assert_eq!(
        version.as_ptr(),
        c_static.cast::<u8>(),
        "version() returned a copy of C's string, not C's string itself: a static C string \
         can be borrowed for 'static (CStr::from_ptr, then to_str) without copying or leaking \
         anything"
    );
}

#[test]
fn count_vowels_lends_rust_strings_to_c() {
    for (text, want) in [
        ("Foreign function interface", 10),
        ("Rhythm", 0),
        ("AEIOU aeiou", 10),
        ("", 0),
        // C counts bytes: ë is two bytes, neither of them an ASCII vowel.
        ("Zoë", 1),
    ] {
        assert_eq!(
            c_strings::count_vowels(text),
            Ok(want),
            "count_vowels({text:?}) should be Ok({want}), the count C makes"
        );
    }
}

#[test]
fn a_nul_inside_a_rust_string_is_an_error_not_a_panic() {
    for (text, position) in [("two\0parts", 3), ("\0", 0), ("end\0", 3)] {
        assert_eq!(
            c_strings::count_vowels(text),
            Err(StringError::InteriorNul { position }),
            "count_vowels({text:?}): a C string ends at its first NUL, so C would see only \
             the first {position} bytes. CString::new refuses such a string; its error must \
             reach the caller (with `?`), not become a panic (unwrap) or a shorter string"
        );
        assert_eq!(
            c_strings::greet(text),
            Err(StringError::InteriorNul { position }),
            "greet({text:?}) should refuse the name the same way"
        );
        assert_eq!(
            c_strings::greet_lossy(text),
            Err(StringError::InteriorNul { position }),
            "greet_lossy({text:?}): lossy is about C's bytes coming back, not about the name \
             going in: a NUL in the name is still refused"
        );
    }
}

#[test]
fn greet_copies_cs_string_into_rust() {
    for (name, want) in [
        ("Ada", "Hello, Ada!"),
        ("", "Hello, !"),
        ("Zoë", "Hello, Zoë!"),
        // C keeps at most CS_NAME_MAX = 16 bytes of a name.
        ("Grace Brewster Murray Hopper", "Hello, Grace Brewster M!"),
    ] {
        assert_eq!(
            c_strings::greet(name).as_deref(),
            Ok(want),
            "greet({name:?}) should be C's greeting, copied into a String"
        );
        assert_eq!(
            c_strings::greet_lossy(name).as_deref(),
            Ok(want),
            "greet_lossy({name:?}) should be the same as greet for a valid UTF-8 greeting"
        );
    }
}

#[test]
fn bytes_that_are_not_utf8_are_an_error_unless_lossy_is_asked() {
    // "Ana María Martínez" is 20 bytes; C keeps 16, which ends with the first
    // of the two bytes of the second í.
    let name = "Ana María Martínez";
    assert_eq!(
        c_strings::greet(name),
        Err(StringError::NotUtf8 { valid_up_to: 22 }),
        "greet({name:?}): C cut the name after 16 bytes, in the middle of `í`, so its \
         greeting is not UTF-8 after byte 22. CStr::to_str refuses it; its error must reach \
         the caller (with `?`), not be a panic, and not be replaced silently"
    );
    assert_eq!(
        c_strings::greet_lossy(name).as_deref(),
        Ok("Hello, Ana María Mart\u{FFFD}!"),
        "greet_lossy({name:?}) should replace the broken byte with U+FFFD (to_string_lossy)"
    );
}

#[test]
fn program_output() {
    let stdout =
        workbook_support::testing::program_stdout(env!("CARGO_BIN_EXE_c_strings"), "c_strings");
    workbook_support::snapshot_settings().bind(|| {
        insta::assert_snapshot!("program_output", stdout);
    });
}
