//! What a crash was, from how the operating system reported it: a signal on
//! Unix, an NTSTATUS exit code on Windows. One table per system, both pure
//! data, so every host tests both; the kinds carry the advice, so a segfault
//! and an access violation get the same words.

/// What went wrong, whatever the system called it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrashKind {
    /// Memory the program does not own (SIGSEGV, STATUS_ACCESS_VIOLATION).
    Segfault,
    /// The program or its runtime gave up on purpose (SIGABRT, a fail-fast).
    Abort,
    /// A misaligned or unmappable address (SIGBUS).
    BusError,
    /// An integer division by zero, or a floating-point trap (SIGFPE).
    Arithmetic,
    /// An illegal instruction or a trap: C's undefined-behaviour checks stop so.
    IllegalInstruction,
    /// The stack ran out.
    StackOverflow,
    /// Wrote a file past the size limit learner code runs under (SIGXFSZ).
    FileTooLarge,
    /// Stopped from outside (SIGKILL, Ctrl-C).
    Killed,
    /// A crash this table does not know.
    Other,
}

impl CrashKind {
    /// The kind of crash signal `signal` reports on this Unix.
    pub fn from_unix_signal(signal: i32) -> CrashKind {
        Crash::from_unix_signal(signal).kind
    }

    /// The kind of crash a Windows exit code reports, or `None` when the code
    /// is not an NTSTATUS crash code (an ordinary `exit(3)`).
    pub fn from_windows_exit_code(code: u32) -> Option<CrashKind> {
        Crash::from_windows_exit_code(code).map(|crash| crash.kind)
    }

    /// One sentence or two on what this usually means in FFI code.
    pub fn advice(self) -> &'static str {
        match self {
            CrashKind::Segfault => {
                "It read or wrote memory it does not own: a null or dangling pointer, \
                 a length larger than the buffer passed to C, or a pointer to a value \
                 that was already dropped."
            }
            CrashKind::Abort => {
                "It aborted: a panic that cannot unwind (one out of an `extern \"C\"` \
                 function, or Rust's check of a null or misaligned pointer \
                 dereference), or the C library or allocator found corrupted memory \
                 (often a write past the end of a buffer). The panic's message, if \
                 any, is on stderr below."
            }
            CrashKind::BusError => {
                "A bus error: a misaligned pointer, or a pointer cast to the wrong type."
            }
            CrashKind::Arithmetic => {
                "An arithmetic error in C, such as an integer division by zero."
            }
            CrashKind::IllegalInstruction => {
                "It stopped at an illegal instruction or a trap: C compiled with \
                 undefined-behaviour checks (as lesson 5's build.rs compiles its C) \
                 stops like this on a signed int overflow, a number too large for a \
                 C `int`."
            }
            CrashKind::StackOverflow => {
                "It ran out of stack: a recursion that never ends, or a very large \
                 array kept on the stack (a big local array in C or in Rust)."
            }
            CrashKind::FileTooLarge => {
                "It wrote a file larger than learner code may write here: a write \
                 inside a loop, or a length far larger than meant."
            }
            CrashKind::Killed => {
                "It was stopped from outside: by hand, or by the operating system \
                 (often for using too much memory)."
            }
            CrashKind::Other => "The operating system stopped it.",
        }
    }
}

/// The number a crash was reported with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrashCode {
    UnixSignal(i32),
    WindowsStatus(u32),
}

/// One crash: its kind, and the system's own name and words for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Crash {
    pub kind: CrashKind,
    pub code: CrashCode,
    /// `SIGSEGV`, `STATUS_ACCESS_VIOLATION`; `None` for a signal not in the table.
    pub name: Option<&'static str>,
    /// `segmentation fault`, `access violation`.
    pub meaning: &'static str,
}

// Signal numbers are the same on Linux and macOS but for SIGBUS (and SIGEMT,
// which only macOS has, on 7). Tested against libc on every Unix below.
const SIGBUS: i32 = if cfg!(target_vendor = "apple") { 10 } else { 7 };

const UNIX_SIGNALS: &[(i32, &str, &str, CrashKind)] = &[
    (11, "SIGSEGV", "segmentation fault", CrashKind::Segfault),
    (6, "SIGABRT", "abort", CrashKind::Abort),
    (SIGBUS, "SIGBUS", "bus error", CrashKind::BusError),
    (8, "SIGFPE", "arithmetic error", CrashKind::Arithmetic),
    (
        4,
        "SIGILL",
        "illegal instruction",
        CrashKind::IllegalInstruction,
    ),
    // Clang's undefined-behaviour trap on ARM (brk), and a debugger breakpoint.
    (5, "SIGTRAP", "trap", CrashKind::IllegalInstruction),
    (9, "SIGKILL", "killed", CrashKind::Killed),
    (25, "SIGXFSZ", "file size limit", CrashKind::FileTooLarge),
];

/// NTSTATUS codes a crashed Windows process exits with. Anything else is an
/// exit code the program chose. (MSVC's `abort()` calls `__fastfail`, hence
/// 0xC0000409, as Rust's `abort` and a panic leaving `extern "C"` do.)
const WINDOWS_STATUSES: &[(u32, &str, &str, CrashKind)] = &[
    (
        0xC000_0005,
        "STATUS_ACCESS_VIOLATION",
        "access violation",
        CrashKind::Segfault,
    ),
    (
        0xC000_0409,
        "STATUS_STACK_BUFFER_OVERRUN",
        "stack buffer overrun or fail-fast abort",
        CrashKind::Abort,
    ),
    (
        0xC000_0374,
        "STATUS_HEAP_CORRUPTION",
        "heap corruption",
        CrashKind::Abort,
    ),
    (
        0xC000_00FD,
        "STATUS_STACK_OVERFLOW",
        "stack overflow",
        CrashKind::StackOverflow,
    ),
    (
        0xC000_001D,
        "STATUS_ILLEGAL_INSTRUCTION",
        "illegal instruction",
        CrashKind::IllegalInstruction,
    ),
    (
        0xC000_0096,
        "STATUS_PRIVILEGED_INSTRUCTION",
        "privileged instruction",
        CrashKind::IllegalInstruction,
    ),
    (
        0x8000_0003,
        "STATUS_BREAKPOINT",
        "breakpoint",
        CrashKind::IllegalInstruction,
    ),
    (
        0xC000_0094,
        "STATUS_INTEGER_DIVIDE_BY_ZERO",
        "integer divide by zero",
        CrashKind::Arithmetic,
    ),
    (
        0xC000_0095,
        "STATUS_INTEGER_OVERFLOW",
        "integer overflow",
        CrashKind::Arithmetic,
    ),
    (
        0xC000_008E,
        "STATUS_FLOAT_DIVIDE_BY_ZERO",
        "floating-point divide by zero",
        CrashKind::Arithmetic,
    ),
    (
        0xC000_0090,
        "STATUS_FLOAT_INVALID_OPERATION",
        "invalid floating-point operation",
        CrashKind::Arithmetic,
    ),
    (
        0x8000_0002,
        "STATUS_DATATYPE_MISALIGNMENT",
        "misaligned data",
        CrashKind::BusError,
    ),
    (
        0xC000_0006,
        "STATUS_IN_PAGE_ERROR",
        "in-page error",
        CrashKind::BusError,
    ),
    (
        0xC000_013A,
        "STATUS_CONTROL_C_EXIT",
        "stopped by Ctrl-C",
        CrashKind::Killed,
    ),
];

impl Crash {
    /// A process killed by `signal` (every signal is a crash; unknown ones are `Other`).
    pub fn from_unix_signal(signal: i32) -> Crash {
        let code = CrashCode::UnixSignal(signal);
        match UNIX_SIGNALS.iter().find(|row| row.0 == signal) {
            Some(&(_, name, meaning, kind)) => Crash {
                kind,
                code,
                name: Some(name),
                meaning,
            },
            None => Crash {
                kind: CrashKind::Other,
                code,
                name: None,
                meaning: "a signal",
            },
        }
    }

    /// A Windows process that exited with `code`, if that code is a crash.
    pub fn from_windows_exit_code(code: u32) -> Option<Crash> {
        WINDOWS_STATUSES
            .iter()
            .find(|row| row.0 == code)
            .map(|&(_, name, meaning, kind)| Crash {
                kind,
                code: CrashCode::WindowsStatus(code),
                name: Some(name),
                meaning,
            })
    }

    /// The crash this system reported as `code`: a signal number on Unix, an
    /// exit code (an NTSTATUS, as `i32`) on Windows. See `process::Ending::Signaled`.
    pub fn native(code: i32) -> Crash {
        if cfg!(windows) {
            let status = code as u32;
            Crash::from_windows_exit_code(status).unwrap_or(Crash {
                kind: CrashKind::Other,
                code: CrashCode::WindowsStatus(status),
                name: None,
                meaning: "an exit code that is not a crash",
            })
        } else {
            Crash::from_unix_signal(code)
        }
    }

    /// For the verdict's label: `SIGSEGV (segmentation fault)`,
    /// `STATUS_ACCESS_VIOLATION (0xC0000005, access violation)`, `signal 12`.
    pub fn label(&self) -> String {
        match (self.code, self.name) {
            (CrashCode::UnixSignal(_), Some(name)) => format!("{name} ({})", self.meaning),
            (CrashCode::UnixSignal(signal), None) => format!("signal {signal}"),
            (CrashCode::WindowsStatus(status), Some(name)) => {
                format!("{name} (0x{status:08X}, {})", self.meaning)
            }
            (CrashCode::WindowsStatus(status), None) => format!("exit code 0x{status:08X}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_signals_have_their_kinds_and_names() {
        assert_eq!(CrashKind::from_unix_signal(11), CrashKind::Segfault);
        assert_eq!(CrashKind::from_unix_signal(6), CrashKind::Abort);
        assert_eq!(CrashKind::from_unix_signal(SIGBUS), CrashKind::BusError);
        assert_eq!(CrashKind::from_unix_signal(8), CrashKind::Arithmetic);
        assert_eq!(
            CrashKind::from_unix_signal(4),
            CrashKind::IllegalInstruction
        );
        assert_eq!(
            CrashKind::from_unix_signal(5),
            CrashKind::IllegalInstruction
        );
        assert_eq!(CrashKind::from_unix_signal(9), CrashKind::Killed);
        assert_eq!(CrashKind::from_unix_signal(25), CrashKind::FileTooLarge);
        assert_eq!(CrashKind::from_unix_signal(12), CrashKind::Other);
        assert_eq!(
            Crash::from_unix_signal(11).label(),
            "SIGSEGV (segmentation fault)"
        );
        assert_eq!(Crash::from_unix_signal(12).label(), "signal 12");
    }

    #[test]
    fn windows_crash_codes_have_their_kinds_and_names() {
        let kind = CrashKind::from_windows_exit_code;
        assert_eq!(kind(0xC000_0005), Some(CrashKind::Segfault));
        assert_eq!(kind(0xC000_0409), Some(CrashKind::Abort));
        assert_eq!(kind(0xC000_00FD), Some(CrashKind::StackOverflow));
        assert_eq!(kind(0xC000_001D), Some(CrashKind::IllegalInstruction));
        assert_eq!(kind(0xC000_0094), Some(CrashKind::Arithmetic));
        assert_eq!(kind(0x8000_0003), Some(CrashKind::IllegalInstruction));
        assert_eq!(
            Crash::from_windows_exit_code(0xC000_0005).unwrap().label(),
            "STATUS_ACCESS_VIOLATION (0xC0000005, access violation)"
        );
    }

    #[test]
    fn ordinary_windows_exit_codes_are_not_crashes() {
        for code in [0, 1, 2, 3, 101, 255, u32::MAX] {
            assert_eq!(CrashKind::from_windows_exit_code(code), None, "{code}");
        }
    }

    #[test]
    fn a_crash_gets_the_same_advice_on_both_systems() {
        let pairs = [(11, 0xC000_0005), (6, 0xC000_0409), (4, 0xC000_001D)];
        for (signal, status) in pairs {
            assert_eq!(
                CrashKind::from_unix_signal(signal).advice(),
                CrashKind::from_windows_exit_code(status).unwrap().advice()
            );
        }
    }

    #[test]
    fn every_table_row_is_unique() {
        let mut signals: Vec<i32> = UNIX_SIGNALS.iter().map(|row| row.0).collect();
        signals.sort();
        signals.dedup();
        assert_eq!(signals.len(), UNIX_SIGNALS.len());
        let mut statuses: Vec<u32> = WINDOWS_STATUSES.iter().map(|row| row.0).collect();
        statuses.sort();
        statuses.dedup();
        assert_eq!(statuses.len(), WINDOWS_STATUSES.len());
    }

    /// The hand-written numbers agree with this Unix's own headers.
    #[cfg(unix)]
    #[test]
    fn unix_signal_numbers_match_libc() {
        let expected = [
            ("SIGSEGV", libc::SIGSEGV),
            ("SIGABRT", libc::SIGABRT),
            ("SIGBUS", libc::SIGBUS),
            ("SIGFPE", libc::SIGFPE),
            ("SIGILL", libc::SIGILL),
            ("SIGTRAP", libc::SIGTRAP),
            ("SIGKILL", libc::SIGKILL),
            ("SIGXFSZ", libc::SIGXFSZ),
        ];
        for (name, number) in expected {
            assert_eq!(Crash::from_unix_signal(number).name, Some(name));
        }
    }
}
