//! Windows: a learner's program and every process it starts, held in one job
//! object, so that a time-out ends them all. Windows has no process groups to
//! signal; a job is its way of naming a process tree, and terminating the job
//! ends every process in it, grandchildren included (one that kept a pipe
//! open would otherwise keep the checker waiting for the end of its output).
//!
//! `process-wrap`'s `JobObject` creates the job, starts the child suspended,
//! puts it in the job and resumes it, so it cannot start a process outside
//! the job first. Meant as the Windows half of `process::run`'s tree handling.

use std::io;
use std::process::{ChildStderr, ChildStdout, Command, ExitStatus};
use std::time::Duration;

use process_wrap::std::{ChildWrapper, CommandWrap, JobObject};

/// A running child and its job. Dropping it ends whatever is still running.
#[derive(Debug)]
pub struct ProcessTree {
    child: Box<dyn ChildWrapper>,
    /// The child's own status, once seen (later waits must return it again).
    status: Option<ExitStatus>,
}

/// Starts `command` in a new job object.
pub fn spawn_in_job(command: Command) -> io::Result<ProcessTree> {
    let child = CommandWrap::from(command).wrap(JobObject).spawn()?;
    Ok(ProcessTree {
        child,
        status: None,
    })
}

impl ProcessTree {
    /// The process id of the child itself.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// The child's stdout pipe, if it was piped and not yet taken.
    pub fn take_stdout(&mut self) -> Option<ChildStdout> {
        self.child.stdout().take()
    }

    /// The child's stderr pipe, if it was piped and not yet taken.
    pub fn take_stderr(&mut self) -> Option<ChildStderr> {
        self.child.stderr().take()
    }

    /// The child's exit status if it has exited; never blocks. Processes it
    /// started may still be running: `kill_tree` ends them.
    pub fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        if self.status.is_none() {
            self.status = self.child.try_wait()?;
        }
        Ok(self.status)
    }

    /// Ends every process in the job and waits for the child itself to be
    /// gone; returns its status. Safe to call after the child has exited.
    pub fn kill_tree(&mut self) -> io::Result<ExitStatus> {
        // Fails only when the job is already empty, which is what we want.
        let _ = self.child.start_kill();
        // process-wrap's blocking wait() waits for a message from the job's
        // completion port, which an earlier try_wait may already have taken:
        // poll the child instead (termination is asynchronous but prompt).
        loop {
            if let Some(status) = self.try_wait()? {
                return Ok(status);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for ProcessTree {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;
    use std::process::Stdio;
    use std::time::Instant;

    use super::*;

    fn cmd(script: &str) -> Command {
        let mut command = Command::new("cmd");
        command
            .args(["/C", script])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        command
    }

    #[test]
    fn exit_codes_are_kept() {
        let mut tree = spawn_in_job(cmd("exit 3")).unwrap();
        let status = loop {
            if let Some(status) = tree.try_wait().unwrap() {
                break status;
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        assert_eq!(status.code(), Some(3));
        assert_eq!(tree.kill_tree().unwrap().code(), Some(3));
    }

    #[test]
    fn killing_the_tree_ends_a_grandchild_holding_the_pipe() {
        // `start /B` leaves a grandchild that holds stdout for 30 s.
        let mut tree =
            spawn_in_job(cmd("start /B ping -n 30 127.0.0.1 & ping -n 30 127.0.0.1")).unwrap();
        let mut stdout = tree.take_stdout().unwrap();
        std::thread::sleep(Duration::from_millis(300));
        let start = Instant::now();
        tree.kill_tree().unwrap();
        let mut output = Vec::new();
        let _ = stdout.read_to_end(&mut output);
        // Had the grandchild survived, the pipe would stay open for 30 s.
        assert!(start.elapsed() < Duration::from_secs(10));
    }

    /// Run by `an_access_violation_ends_with_its_ntstatus`: a crash as C
    /// makes one, a write through a null pointer.
    #[test]
    #[ignore = "run by an_access_violation_ends_with_its_ntstatus"]
    fn write_through_null() {
        // SAFETY: none: the point is the crash.
        unsafe { std::ptr::null_mut::<u32>().write_volatile(1) };
    }

    #[test]
    fn an_access_violation_ends_with_its_ntstatus() {
        let mut command = Command::new(std::env::current_exe().unwrap());
        command
            .args([
                "process::windows::tests::write_through_null",
                "--exact",
                "--ignored",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut tree = spawn_in_job(command).unwrap();
        let start = Instant::now();
        let status = loop {
            if let Some(status) = tree.try_wait().unwrap() {
                break status;
            }
            assert!(start.elapsed() < Duration::from_secs(60), "it never ended");
            std::thread::sleep(Duration::from_millis(5));
        };
        // The exit code is the exception's NTSTATUS, which reads as a segfault.
        let code = status.code().expect("an exit code") as u32;
        assert_eq!(code, 0xC000_0005, "0x{code:08X}");
        let crash = crate::crash::Crash::native(code as i32);
        assert_eq!(crash.kind, crate::crash::CrashKind::Segfault);
        assert!(crash.label().starts_with("STATUS_ACCESS_VIOLATION"));
    }
}
