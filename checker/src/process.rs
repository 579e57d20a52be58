//! Runs a child process the way learner code must be run: with a time limit,
//! a cap on what it may print, and its whole process group killed when it
//! overruns (a grandchild would otherwise keep the pipes open).

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub timeout: Duration,
    /// Bytes kept from each of stdout and stderr; printing more ends the run.
    pub output_cap: usize,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    Exited(i32),
    /// Killed by a signal it raised itself (11 segfault, 6 abort, ...); on
    /// Windows, exited with a crash's NTSTATUS (0xC0000005 access violation,
    /// ...) as `i32`. `crash::Crash::native` reads either.
    Signaled(i32),
    TimedOut,
    /// Printed more than the cap and was stopped.
    Flooded,
}

#[derive(Debug, Clone)]
pub struct RunOutput {
    pub ending: Ending,
    pub stdout: String,
    pub stderr: String,
}

impl RunOutput {
    pub fn success(&self) -> bool {
        self.ending == Ending::Exited(0)
    }
}

/// Process groups of children still running. Each child has its own group
/// (so a time-out can kill its grandchildren too), which also means Ctrl-C
/// at the terminal does not reach it: the interrupt handler kills these.
static LIVE_GROUPS: Mutex<Vec<u32>> = Mutex::new(Vec::new());

/// On Ctrl-C (or SIGTERM, SIGHUP), kill every child still running, then exit
/// with 130 as a shell would. Without this, an endless loop in learner code
/// would outlive the checker.
pub fn kill_children_on_interrupt() {
    let _ = ctrlc::set_handler(|| {
        let groups = LIVE_GROUPS.lock().map(|g| g.clone()).unwrap_or_default();
        for group in groups {
            kill_group_id(group);
        }
        eprintln!("\ninterrupted: stopped the programs that were running");
        std::process::exit(130);
    });
}

fn kill_group_id(group: u32) {
    #[cfg(unix)]
    // SAFETY: killpg only sends a signal to a process group we started.
    unsafe {
        libc::killpg(group as libc::pid_t, libc::SIGKILL);
    }
    #[cfg(not(unix))]
    let _ = group;
}

/// Runs `command` to completion under `limits`. Stdin is closed: learner code
/// that waits for input sees end-of-file instead of hanging.
pub fn run(command: &mut Command, limits: Limits) -> std::io::Result<RunOutput> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // Its own process group, so that a time-out can kill grandchildren too.
        command.process_group(0);
    }
    let start = Instant::now();
    let mut child = command.spawn()?;
    if let Ok(mut groups) = LIVE_GROUPS.lock() {
        groups.push(child.id());
    }
    let flooded = Arc::new(AtomicBool::new(false));
    let stdout = spawn_reader(child.stdout.take(), limits.output_cap, flooded.clone());
    let stderr = spawn_reader(child.stderr.take(), limits.output_cap, flooded.clone());

    let ending = loop {
        if let Some(status) = child.try_wait()? {
            break ending_of(status);
        }
        if flooded.load(Ordering::Relaxed) {
            kill_group(&mut child);
            break Ending::Flooded;
        }
        if start.elapsed() >= limits.timeout {
            kill_group(&mut child);
            break Ending::TimedOut;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    // The group is gone (or exited on its own); make sure no straggler keeps a pipe.
    kill_group(&mut child);
    if let Ok(mut groups) = LIVE_GROUPS.lock() {
        groups.retain(|&group| group != child.id());
    }
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    // A child that printed past the cap just before exiting still flooded.
    let ending = if flooded.load(Ordering::Relaxed) && ending != Ending::TimedOut {
        Ending::Flooded
    } else {
        ending
    };
    Ok(RunOutput {
        ending,
        stdout,
        stderr,
    })
}

fn spawn_reader(
    pipe: Option<impl Read + Send + 'static>,
    cap: usize,
    flooded: Arc<AtomicBool>,
) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let Some(mut pipe) = pipe else {
            return String::new();
        };
        let mut kept = Vec::new();
        let mut buf = [0u8; 8192];
        loop {
            match pipe.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let room = cap.saturating_sub(kept.len());
                    kept.extend_from_slice(&buf[..n.min(room)]);
                    if n > room {
                        flooded.store(true, Ordering::Relaxed);
                        // Keep draining so the child never blocks on a full pipe
                        // before it is killed.
                    }
                }
            }
        }
        String::from_utf8_lossy(&kept).into_owned()
    })
}

#[cfg(unix)]
fn ending_of(status: std::process::ExitStatus) -> Ending {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => Ending::Exited(code),
        (None, Some(signal)) => Ending::Signaled(signal),
        (None, None) => Ending::Exited(-1),
    }
}

#[cfg(not(unix))]
fn ending_of(status: std::process::ExitStatus) -> Ending {
    match status.code() {
        // A crash on Windows is an exit code: the NTSTATUS of the exception.
        Some(code) if crate::crash::CrashKind::from_windows_exit_code(code as u32).is_some() => {
            Ending::Signaled(code)
        }
        Some(code) => Ending::Exited(code),
        None => Ending::Exited(-1),
    }
}

fn kill_group(child: &mut Child) {
    kill_group_id(child.id());
    let _ = child.kill();
    let _ = child.wait();
}

/// The name of a signal number (on Windows, a crash's exit code), for messages.
pub fn signal_name(signal: i32) -> String {
    crate::crash::Crash::native(signal).label()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn limits(ms: u64) -> Limits {
        Limits {
            timeout: Duration::from_millis(ms),
            output_cap: 1024,
        }
    }

    fn sh(script: &str, ms: u64) -> RunOutput {
        run(Command::new("sh").args(["-c", script]), limits(ms)).unwrap()
    }

    #[test]
    fn exit_codes_and_output_are_kept() {
        let out = sh("echo hi; echo oops >&2; exit 3", 5000);
        assert_eq!(out.ending, Ending::Exited(3));
        assert_eq!(out.stdout, "hi\n");
        assert_eq!(out.stderr, "oops\n");
    }

    #[test]
    fn signals_are_reported() {
        assert_eq!(sh("kill -SEGV $$", 5000).ending, Ending::Signaled(11));
        assert_eq!(sh("kill -ABRT $$", 5000).ending, Ending::Signaled(6));
    }

    #[test]
    fn endless_loops_time_out_even_with_a_grandchild_holding_the_pipe() {
        let start = Instant::now();
        let out = sh("sleep 30 & while :; do :; done", 300);
        assert_eq!(out.ending, Ending::TimedOut);
        // Had the sleeping grandchild survived, reading its pipe would wait 30 s.
        assert!(start.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn floods_are_stopped_and_capped() {
        let out = sh("yes", 5000);
        assert_eq!(out.ending, Ending::Flooded);
        assert_eq!(out.stdout.len(), 1024);
    }

    #[test]
    fn stdin_is_closed() {
        let out = sh("read line; echo \"got:$line\"", 5000);
        assert_eq!(out.stdout, "got:\n");
    }
}
