//! The sandbox every step of grading that runs learner code goes through:
//! the build (build scripts are learner code in some lessons), the lesson's
//! program and its test programs. Built on bubblewrap (`bwrap`), an existing,
//! small, widely packaged tool (Flatpak's), not on code of our own.
//!
//! Inside: the system read-only; no network; a PID namespace, so that every
//! process a step started ends with it; capabilities dropped; a private
//! /tmp; the submission's workspace read-only but for its cargo target
//! folder during the build and the lesson programs' output folder. Not
//! visible at all: the instructor's workbook (its `solutions/` with it), the
//! grading work folder (other submissions' workspaces), the submissions
//! themselves, home folders (but for the Rust toolchain, read-only), and
//! every path the grader adds. Limits: each file written at most
//! `MAX_FILE_BYTES`, at most `MAX_PROCESSES` processes (not enforced for
//! root, which the kernel exempts), memory through process::Limits.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result, bail};

use crate::check::CheckEnv;

/// What a step does, which decides what it may write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// cargo compiling the lesson: its target folder is writable.
    Build,
    /// The lesson's program or test programs: the target folder is read-only,
    /// so compiled checks cannot be swapped.
    Run,
}

/// The largest file a sandboxed step may write (a test program is ~30 MB).
pub const MAX_FILE_BYTES: u64 = 1 << 30;
/// The most processes (of the grading user) while a step runs.
pub const MAX_PROCESSES: u64 = 4096;

#[derive(Debug, Clone)]
pub struct Sandbox {
    bwrap: PathBuf,
    /// What `bwrap --version` said, for the report.
    pub version: String,
    /// Folders and files hidden from the inside.
    hidden: Vec<PathBuf>,
    /// Read-only folders shown again inside hidden ones (the toolchain).
    toolchain: Vec<PathBuf>,
    cargo_home: PathBuf,
    /// A folder of this job's: each step gets a new, empty folder in it as
    /// its /tmp, removed when the step ends (steps may run side by side).
    tmp_root: PathBuf,
}

/// The message when there is no sandbox to grade in.
pub fn missing_message(why: &str) -> String {
    format!(
        "grading runs each learner's code, so it runs every step in a bubblewrap sandbox, and \
         that is not possible here: {why}.\nInstall bubblewrap: `sudo apt install bubblewrap` \
         (Debian, Ubuntu), `sudo dnf install bubblewrap` (Fedora). Grading in a sandbox needs \
         Linux; on another system, grade in a Linux VM or in CI.\nTo grade without a sandbox \
         anyway (code you trust, or a throwaway machine), pass --unconfined: the report then \
         says the run was unconfined."
    )
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

impl Sandbox {
    /// Finds bwrap and proves it works here. `hidden`: paths the inside must
    /// not see (the instructor's workbook, the work folder, submissions).
    pub fn new(hidden: Vec<PathBuf>, tmp_root: PathBuf) -> Result<Sandbox> {
        if !cfg!(target_os = "linux") {
            bail!(missing_message("bubblewrap runs on Linux only"));
        }
        let bwrap =
            find_in_path("bwrap").with_context(|| missing_message("`bwrap` is not on PATH"))?;
        let version = Command::new(&bwrap)
            .arg("--version")
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default();
        let probe = Command::new(&bwrap)
            .args(["--ro-bind", "/", "/", "--unshare-all", "--die-with-parent"])
            .args(["--cap-drop", "ALL", "--", "true"])
            .output()
            .with_context(|| missing_message("`bwrap` could not be started"))?;
        if !probe.status.success() {
            bail!(missing_message(&format!(
                "`bwrap` does not work on this machine ({})",
                String::from_utf8_lossy(&probe.stderr).trim()
            )));
        }
        let cargo_home = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| home().map(|h| h.join(".cargo")))
            .context("neither CARGO_HOME nor HOME is set")?;
        let rustup_home = std::env::var_os("RUSTUP_HOME")
            .map(PathBuf::from)
            .or_else(|| home().map(|h| h.join(".rustup")));
        let mut toolchain: Vec<PathBuf> = ["bin", "registry", "git", "config.toml", "config"]
            .iter()
            .map(|part| cargo_home.join(part))
            .collect();
        toolchain.extend(rustup_home);
        // The cargo and rustc actually in use, wherever they live.
        for tool in [std::env::var_os("CARGO"), std::env::var_os("RUSTC")]
            .into_iter()
            .flatten()
        {
            let tool = PathBuf::from(tool);
            if let Some(bin) = tool.parent() {
                toolchain.push(bin.to_path_buf());
            }
        }
        toolchain.retain(|path| path.exists());
        let mut all_hidden = hidden;
        all_hidden
            .extend(["/home", "/root", "/run", "/var/tmp", "/mnt", "/media"].map(PathBuf::from));
        all_hidden.extend(home());
        all_hidden.push(cargo_home.clone());
        all_hidden.retain(|path| path.exists());
        Ok(Sandbox {
            bwrap,
            version,
            hidden: all_hidden,
            toolchain,
            cargo_home,
            tmp_root,
        })
    }

    /// Runs `inner` (program, arguments, environment, folder) inside the
    /// sandbox for `step` of a check in `env`'s workspace, under `limits`.
    pub fn run(
        &self,
        inner: &Command,
        step: Step,
        env: &CheckEnv,
        limits: crate::process::Limits,
    ) -> std::io::Result<crate::process::RunOutput> {
        static STEPS: AtomicU64 = AtomicU64::new(0);
        let tmp = self.tmp_root.join(format!(
            "step-{}-{}",
            std::process::id(),
            STEPS.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp)?;
        let mut wrapped = self.wrap(inner, step, env, &tmp);
        let run = crate::process::run(&mut wrapped, limits);
        let _ = std::fs::remove_dir_all(&tmp);
        Ok(unwrap_output(run?))
    }

    /// `inner`, to run inside the sandbox for `step` of a check in `env`'s
    /// workspace, with `tmp` as its /tmp.
    fn wrap(&self, inner: &Command, step: Step, env: &CheckEnv, tmp: &Path) -> Command {
        let _ = std::fs::create_dir_all(&env.out_dir);
        let target = env.target();
        let _ = std::fs::create_dir_all(&target);

        let mut command = Command::new(&self.bwrap);
        let arg = |command: &mut Command, parts: &[&std::ffi::OsStr]| {
            command.args(parts);
        };
        command.args(["--die-with-parent", "--new-session", "--unshare-all"]);
        command.args(["--cap-drop", "ALL"]);
        command.args(["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]);
        for path in &self.hidden {
            if path.is_dir() {
                arg(&mut command, &["--tmpfs".as_ref(), path.as_os_str()]);
            } else {
                arg(
                    &mut command,
                    &["--ro-bind".as_ref(), "/dev/null".as_ref(), path.as_os_str()],
                );
            }
        }
        for path in &self.toolchain {
            arg(
                &mut command,
                &["--ro-bind".as_ref(), path.as_os_str(), path.as_os_str()],
            );
        }
        arg(
            &mut command,
            &["--bind".as_ref(), tmp.as_os_str(), "/tmp".as_ref()],
        );
        let root = env.root.as_os_str();
        arg(&mut command, &["--ro-bind".as_ref(), root, root]);
        let writable_target = if step == Step::Build {
            "--bind"
        } else {
            "--ro-bind"
        };
        arg(
            &mut command,
            &[
                writable_target.as_ref(),
                target.as_os_str(),
                target.as_os_str(),
            ],
        );
        // What lesson programs make; a build has no business there (builds
        // run beside other lessons' checks, which read it).
        if step == Step::Run {
            let out = env.out_dir.as_os_str();
            arg(&mut command, &["--bind".as_ref(), out, out]);
        }
        if let Some(dir) = inner.get_current_dir() {
            arg(&mut command, &["--chdir".as_ref(), dir.as_os_str()]);
        }
        // Only the environment a build needs: a grader's tokens and secrets
        // never reach learner code.
        command.env_clear();
        for (key, value) in std::env::vars_os() {
            if passed_on(&key.to_string_lossy()) {
                command.env(key, value);
            }
        }
        // The environment the inner command was given.
        for (key, value) in inner.get_envs() {
            match value {
                Some(value) => command.env(key, value),
                None => command.env_remove(key),
            };
        }
        command
            .env("CARGO_HOME", &self.cargo_home)
            .env("TMPDIR", "/tmp");
        // Inside: a shell that runs the step under its limits, then counts
        // what the step left running (all of it ends with the sandbox's PID
        // namespace a moment later) and says how the step ended: bwrap itself
        // reports a signal only as an exit code above 128.
        command.args(["--", "sh", "-c", STEP_SCRIPT, "ffi-workbook-step"]);
        command.arg(format!("--fsize={MAX_FILE_BYTES}"));
        command.arg(format!("--nproc={MAX_PROCESSES}"));
        command.arg(inner.get_program());
        command.args(inner.get_args());
        command
    }
}

/// The shell script each sandboxed step runs: `$1`, `$2` are prlimit's
/// options, the rest the step. In the PID namespace, pid 1 is bwrap and
/// pid 2 this shell, so any other process is one the step left behind.
const STEP_SCRIPT: &str = r#"fsize=$1; nproc=$2; shift 2
prlimit "$fsize" "$nproc" -- "$@"
status=$?
set -- /proc/[0-9]*
echo "ffi-workbook-step: status $status, left $(($# - 2))" >&2
exit "$status""#;

/// What a sandboxed step's own report line (the last line of its stderr)
/// says, applied to the run: the line is removed, an exit status above 128
/// is the signal it stands for, and the processes the step left running
/// are its strays. Learner code could print such a line itself; only the
/// last one counts, and it can change nothing but the learner's own flags.
pub fn unwrap_output(mut run: crate::process::RunOutput) -> crate::process::RunOutput {
    use crate::process::Ending;
    let Some(start) = run.stderr.rfind("ffi-workbook-step: status ") else {
        return run;
    };
    let line = run.stderr[start..].lines().next().unwrap_or("").to_string();
    let parse = |after: &str| -> Option<i32> {
        line.split(after)
            .nth(1)?
            .split(|c: char| !c.is_ascii_digit())
            .next()?
            .parse()
            .ok()
    };
    if let (Some(status), Some(left)) = (parse("status "), parse("left ")) {
        run.strays = usize::try_from(left).unwrap_or(0);
        if let Ending::Exited(code) = run.ending
            && code == status
            && (129..=192).contains(&code)
        {
            run.ending = Ending::Signaled(code - 128);
        }
        let end = start + line.len();
        let rest = run.stderr[end..].trim_start_matches('\n').to_string();
        run.stderr.truncate(start);
        run.stderr.push_str(&rest);
    }
    run
}

/// Which of the grader's environment variables a sandboxed step gets.
fn passed_on(name: &str) -> bool {
    const SECRET_WORDS: &[&str] = &["TOKEN", "SECRET", "PASSWORD", "CREDENTIAL", "AUTH", "KEY"];
    const KEPT: &[&str] = &[
        "PATH",
        "HOME",
        "USER",
        "LANG",
        "TERM",
        "CC",
        "CXX",
        "AR",
        "CFLAGS",
        "CXXFLAGS",
        "LDFLAGS",
        "RUSTC",
        "RUSTFLAGS",
        "RUSTDOCFLAGS",
        "CARGO",
        "LIBCLANG_PATH",
        "LLVM_CONFIG_PATH",
        "FFI_WORKBOOK_REQUIRE_TOOLS",
    ];
    let upper = name.to_ascii_uppercase();
    if SECRET_WORDS.iter().any(|word| upper.contains(word)) || name == "RUSTC_WRAPPER" {
        return false;
    }
    KEPT.contains(&name) || name.starts_with("CARGO_") || name.starts_with("RUSTUP_")
}

fn find_in_path(name: &str) -> Option<PathBuf> {
    let path: OsString = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    path.is_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_steps_own_report_is_read_and_removed() {
        use crate::process::{Ending, RunOutput};
        let run = |ending, stderr: &str| RunOutput {
            ending,
            stdout: String::new(),
            stderr: stderr.into(),
            strays: 0,
        };
        let crashed = unwrap_output(run(
            Ending::Exited(139),
            "boom\nffi-workbook-step: status 139, left 0\n",
        ));
        assert_eq!(crashed.ending, Ending::Signaled(11));
        assert_eq!(crashed.stderr, "boom\n");
        let daemon = unwrap_output(run(
            Ending::Exited(0),
            "ffi-workbook-step: status 0, left 2\n",
        ));
        assert_eq!((daemon.ending, daemon.strays), (Ending::Exited(0), 2));
        // A time-out has no report line: nothing changes.
        let hung = unwrap_output(run(Ending::TimedOut, "partial"));
        assert_eq!(
            (hung.ending, hung.stderr.as_str()),
            (Ending::TimedOut, "partial")
        );
    }

    #[test]
    fn secrets_stay_outside() {
        for name in [
            "GITHUB_TOKEN",
            "CLASSROOM_TOKEN",
            "CARGO_REGISTRY_TOKEN",
            "AWS_SECRET_ACCESS_KEY",
            "SSH_AUTH_SOCK",
            "RUSTC_WRAPPER",
            "SOME_RANDOM_VAR",
        ] {
            assert!(!passed_on(name), "{name}");
        }
        for name in [
            "PATH",
            "HOME",
            "RUSTUP_TOOLCHAIN",
            "CARGO_HOME",
            "CARGO_TARGET_DIR",
            "CC",
        ] {
            assert!(passed_on(name), "{name}");
        }
    }
}
