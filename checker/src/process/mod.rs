//! Runs a child process the way learner code must be run: with a time limit,
//! a cap on what it may print, a memory limit, and its whole process tree
//! ended when it finishes or overruns, whatever its members did to escape
//! (a new process group, a new session, a double fork).
//!
//! The checker never waits on a pipe that a stray process might hold: after
//! the tree is ended, the readers get a short grace period and are then
//! abandoned with what they read.
//!
//! How a tree is found and ended is per platform (`tree`): on Linux the
//! checker is a child subreaper and walks /proc; elsewhere on Unix it kills
//! the process group. Grading adds a PID namespace around each step
//! (sandbox.rs), so there everything ends with the sandbox.

use std::io::{Read, Write};
#[cfg(not(windows))]
use std::process::Child;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

#[cfg(target_os = "linux")]
pub mod cgroup;
#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as tree;
#[cfg(not(unix))]
mod other;
#[cfg(windows)]
mod windows;
#[cfg(not(unix))]
use other as tree;

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub timeout: Duration,
    /// Bytes kept from each of stdout and stderr; printing more ends the run.
    pub output_cap: usize,
    /// The most address space each process may map, in bytes (Unix only).
    /// A test that keeps printing inside libtest's output capture, or an
    /// allocation sized by a wrong length, stops here instead of eating the
    /// machine's memory.
    pub memory: Option<u64>,
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
    /// Processes of the run's tree that were still alive when its main
    /// process ended, and were killed (daemons, forgotten children).
    pub strays: usize,
    /// The limit on the whole tree that the run reached (grading's cgroups):
    /// that, whatever else it did, is its verdict.
    pub limit: Option<LimitReached>,
}

/// The bounds of one sandboxed step's whole tree (grading's cgroups).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TreeLimits {
    /// Bytes of memory, tmpfs and /dev/shm included.
    pub memory: u64,
    /// Processes and threads at once.
    pub processes: u64,
    /// Cores' worth of CPU time per second.
    pub cpus: f64,
}

/// A limit on a run's whole tree that it reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitReached {
    /// A process of the tree was killed for the tree's memory.
    Memory { mib: u64 },
    /// A new process or thread was refused: the tree had `max`.
    Processes { max: u64 },
}

impl LimitReached {
    /// The verdict on a run of `stage` that reached this limit.
    pub fn verdict(self, stage: crate::verdict::Stage) -> crate::verdict::Verdict {
        use crate::verdict::Verdict;
        match self {
            LimitReached::Memory { mib } => Verdict::OutOfMemory { stage, mib },
            LimitReached::Processes { max } => Verdict::TooManyProcesses { stage, max },
        }
    }
}

impl RunOutput {
    pub fn success(&self) -> bool {
        self.ending == Ending::Exited(0)
    }
}

/// The environment variable that tags every process of one run, so that a
/// process that left its process group is still found (unless it also
/// cleared its environment; on Linux the subreaper finds those).
pub const RUN_TAG_ENV: &str = "FFI_WORKBOOK_RUN";

/// Runs still going: their main process id and tag. Ctrl-C, a quit key and
/// SIGTERM end them all (`stop_all`).
static LIVE: Mutex<Vec<(u32, String)>> = Mutex::new(Vec::new());

/// Call once at start: on Linux, makes the checker the reaper of orphaned
/// descendants, so that a daemon started by learner code stays findable.
pub fn init() {
    tree::init();
}

/// Set once the checker is stopping: no new learner process may start.
static STOPPING: AtomicBool = AtomicBool::new(false);

/// Ends every run still going (its whole tree) and refuses new ones: the
/// checker is quitting (`q` in the watch loop, Ctrl-C, a signal).
pub fn stop_all() {
    STOPPING.store(true, Ordering::SeqCst);
    let live = LIVE.lock().map(|l| l.clone()).unwrap_or_default();
    for (pid, tag) in live {
        tree::kill_tree(pid, &tag);
    }
    tree::kill_strays();
}

/// On Ctrl-C (or SIGTERM, SIGHUP), end every run still going, then exit
/// with 130 as a shell would. Without this, an endless loop in learner code
/// would outlive the checker.
pub fn kill_children_on_interrupt() {
    let _ = ctrlc::set_handler(|| {
        stop_all();
        // Not `eprintln!`: after a hang-up stderr is gone, and a panic here
        // would end this handler's thread and leave the checker running.
        let _ = writeln!(
            std::io::stderr(),
            "\ninterrupted: stopped the programs that were running"
        );
        std::process::exit(130);
    });
}

/// The checker is ending: Ctrl-C's handler exits (130) once every run is
/// killed, and a quitting watch loop exits on its own. A check must not go
/// on to report a verdict made of killed runs (nor race that exit with its
/// own), so the thread that would waits for the end.
fn wait_for_the_end() -> ! {
    loop {
        std::thread::park();
    }
}

fn next_tag() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// How long the readers may take to finish once the tree has ended. Only a
/// process that escaped every means of finding it can hold a pipe longer.
const PIPE_GRACE: Duration = Duration::from_secs(2);

/// Runs `command` to completion under `limits`. Stdin is closed: learner code
/// that waits for input sees end-of-file instead of hanging.
pub fn run(command: &mut Command, limits: Limits) -> std::io::Result<RunOutput> {
    let tag = next_tag();
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env(RUN_TAG_ENV, &tag);
    tree::prepare(command, limits);
    let start = Instant::now();
    // Spawned while holding the list, so that no other run's clean-up can
    // take this new process for a stray before it is listed.
    let mut child = {
        let mut live = LIVE.lock().unwrap_or_else(|e| e.into_inner());
        if STOPPING.load(Ordering::SeqCst) {
            drop(live);
            wait_for_the_end();
        }
        let child = Running::spawn(command)?;
        live.push((child.id(), tag.clone()));
        child
    };
    let pid = child.id();
    let flooded = Arc::new(AtomicBool::new(false));
    // A machine out of threads (a fork bomb elsewhere) is an error for this
    // run, never a panic of the checker's.
    let readers =
        Reader::spawn(child.take_stdout(), limits.output_cap, flooded.clone()).and_then(|out| {
            Reader::spawn(child.take_stderr(), limits.output_cap, flooded.clone())
                .map(|err| (out, err))
        });
    let (stdout, stderr) = match readers {
        Ok(readers) => readers,
        Err(err) => {
            kill_main(&mut child);
            tree::kill_tree(pid, &tag);
            if let Ok(mut live) = LIVE.lock() {
                live.retain(|(p, _)| *p != pid);
            }
            return Err(err);
        }
    };

    let ending = wait(&mut child, &flooded, start, limits);
    if STOPPING.load(Ordering::SeqCst) {
        // Most likely killed by the stop: not an ending to judge.
        wait_for_the_end();
    }
    // The main process is gone; whatever it left running dies now.
    let strays = tree::kill_tree(pid, &tag) + child.end_tree();
    if let Ok(mut live) = LIVE.lock() {
        live.retain(|(p, _)| *p != pid);
    }
    let deadline = Instant::now() + PIPE_GRACE;
    let stdout = stdout.finish(deadline);
    let stderr = stderr.finish(deadline);
    // A child that printed past the cap just before exiting still flooded.
    let ending = match ending {
        Ok(Ending::TimedOut) => Ending::TimedOut,
        Ok(_) if flooded.load(Ordering::Relaxed) => Ending::Flooded,
        Ok(ending) => ending,
        Err(err) => return Err(err),
    };
    Ok(RunOutput {
        ending,
        stdout,
        stderr,
        strays,
        limit: None,
    })
}

fn wait(
    child: &mut Running,
    flooded: &AtomicBool,
    start: Instant,
    limits: Limits,
) -> std::io::Result<Ending> {
    // Short sleeps at first (most runs are short), then longer ones: an
    // idle wait must not cost a core.
    let mut pause = Duration::from_millis(1);
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(ending_of(status));
        }
        if flooded.load(Ordering::Relaxed) {
            kill_main(child);
            return Ok(Ending::Flooded);
        }
        if start.elapsed() >= limits.timeout {
            kill_main(child);
            return Ok(Ending::TimedOut);
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(20));
    }
}

fn kill_main(child: &mut Running) {
    tree::kill_tree(child.id(), "");
    child.kill();
}

/// The main process of a run: a plain child on Unix (its tree is found by
/// `tree`), a child in a job object on Windows (the job is its tree).
struct Running {
    #[cfg(not(windows))]
    child: Child,
    #[cfg(windows)]
    child: windows::ProcessTree,
}

impl Running {
    #[cfg(not(windows))]
    fn spawn(command: &mut Command) -> std::io::Result<Running> {
        Ok(Running {
            child: command.spawn()?,
        })
    }

    #[cfg(windows)]
    fn spawn(command: &mut Command) -> std::io::Result<Running> {
        let owned = std::mem::replace(command, Command::new(""));
        Ok(Running {
            child: windows::spawn_in_job(owned)?,
        })
    }

    fn id(&self) -> u32 {
        self.child.id()
    }

    #[cfg(not(windows))]
    fn take_stdout(&mut self) -> Option<std::process::ChildStdout> {
        self.child.stdout.take()
    }

    #[cfg(windows)]
    fn take_stdout(&mut self) -> Option<std::process::ChildStdout> {
        self.child.take_stdout()
    }

    #[cfg(not(windows))]
    fn take_stderr(&mut self) -> Option<std::process::ChildStderr> {
        self.child.stderr.take()
    }

    #[cfg(windows)]
    fn take_stderr(&mut self) -> Option<std::process::ChildStderr> {
        self.child.take_stderr()
    }

    fn try_wait(&mut self) -> std::io::Result<Option<ExitStatus>> {
        self.child.try_wait()
    }

    /// Kills the main process (and, on Windows, its whole job) and reaps it.
    #[cfg(not(windows))]
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    #[cfg(windows)]
    fn kill(&mut self) {
        let _ = self.child.kill_tree();
    }

    /// Ends what the main process left running where the platform holds the
    /// tree itself (a job object); the count is unknown there, so 0.
    #[cfg(not(windows))]
    fn end_tree(&mut self) -> usize {
        0
    }

    #[cfg(windows)]
    fn end_tree(&mut self) -> usize {
        let _ = self.child.kill_tree();
        0
    }
}

/// Reads one pipe on a thread of its own, keeping at most `cap` bytes and
/// draining the rest so the child never blocks on a full pipe.
struct Reader {
    kept: Arc<Mutex<Vec<u8>>>,
    done: mpsc::Receiver<()>,
}

impl Reader {
    fn spawn(
        pipe: Option<impl Read + Send + 'static>,
        cap: usize,
        flooded: Arc<AtomicBool>,
    ) -> std::io::Result<Reader> {
        let kept = Arc::new(Mutex::new(Vec::new()));
        let (done_tx, done) = mpsc::channel();
        let shared = kept.clone();
        std::thread::Builder::new().spawn(move || {
            if let Some(mut pipe) = pipe {
                let mut buf = [0u8; 8192];
                loop {
                    match pipe.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            let mut kept = shared.lock().unwrap_or_else(|e| e.into_inner());
                            let room = cap.saturating_sub(kept.len());
                            kept.extend_from_slice(&buf[..n.min(room)]);
                            if n > room {
                                flooded.store(true, Ordering::Relaxed);
                            }
                        }
                    }
                }
            }
            let _ = done_tx.send(());
        })?;
        Ok(Reader { kept, done })
    }

    /// What was read, once the pipe closed or at `deadline`, whichever comes
    /// first (a reader still blocked then is left behind).
    fn finish(self, deadline: Instant) -> String {
        let _ = self
            .done
            .recv_timeout(deadline.saturating_duration_since(Instant::now()));
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        String::from_utf8_lossy(&kept).into_owned()
    }
}

#[cfg(unix)]
fn ending_of(status: ExitStatus) -> Ending {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => Ending::Exited(code),
        (None, Some(signal)) => Ending::Signaled(signal),
        (None, None) => Ending::Exited(-1),
    }
}

#[cfg(not(unix))]
fn ending_of(status: ExitStatus) -> Ending {
    match status.code() {
        // A crash on Windows is an exit code: the NTSTATUS of the exception.
        Some(code) if crate::crash::CrashKind::from_windows_exit_code(code as u32).is_some() => {
            Ending::Signaled(code)
        }
        Some(code) => Ending::Exited(code),
        None => Ending::Exited(-1),
    }
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
            memory: None,
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
        assert_eq!(out.strays, 0);
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

    /// The pid a script wrote to a file, and whether that process still lives.
    fn alive(pid_file: &std::path::Path) -> bool {
        let pid: i32 = std::fs::read_to_string(pid_file)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        // Signal 0 checks for existence; a zombie not yet reaped counts as gone.
        let exists = unsafe { libc::kill(pid, 0) } == 0;
        let zombie = std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|stat| {
                stat.rsplit(')')
                    .next()
                    .unwrap_or("")
                    .trim_start()
                    .starts_with('Z')
            })
            .unwrap_or(!exists);
        exists && !zombie
    }

    #[test]
    fn a_daemon_in_its_own_session_is_ended_with_the_run() {
        init();
        let tmp = tempfile::tempdir().unwrap();
        let pid_file = tmp.path().join("pid");
        // setsid leaves the process group; the daemon keeps our pipes open
        // and outlives its parent, which exits at once.
        let script = format!(
            "setsid sh -c 'echo $$ > {}; exec sleep 60' & sleep 0.3; echo started",
            pid_file.display()
        );
        let start = Instant::now();
        let out = sh(&script, 20_000);
        assert_eq!(out.ending, Ending::Exited(0));
        assert_eq!(out.stdout, "started\n");
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "waited on the daemon's pipe"
        );
        assert!(out.strays >= 1, "the daemon was not counted");
        std::thread::sleep(Duration::from_millis(100));
        assert!(!alive(&pid_file), "the daemon survived the run");
    }

    #[test]
    fn a_double_forked_daemon_that_times_out_is_ended_too() {
        init();
        let tmp = tempfile::tempdir().unwrap();
        let pid_file = tmp.path().join("pid");
        // The loop starts once the daemon has said who it is, so that the
        // time-out always finds it running (on a loaded machine it may take
        // a while to start).
        let script = format!(
            "(setsid sh -c 'echo $$ > {0}.new && mv {0}.new {0}; exec sleep 60' &) ; \
             while [ ! -s {0} ]; do sleep 0.01; done; while :; do :; done",
            pid_file.display()
        );
        let out = sh(&script, 5000);
        assert_eq!(out.ending, Ending::TimedOut);
        std::thread::sleep(Duration::from_millis(100));
        assert!(!alive(&pid_file), "the daemon survived the time-out");
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

    #[test]
    fn memory_is_limited() {
        let mut command = Command::new("sh");
        command.args([
            "-c",
            "python3 -c 'b = bytearray(600_000_000); print(len(b))'",
        ]);
        let out = run(
            &mut command,
            Limits {
                memory: Some(256 << 20),
                ..limits(20_000)
            },
        )
        .unwrap();
        assert_ne!(out.ending, Ending::Exited(0), "{out:?}");
    }
}
