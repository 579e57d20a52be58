//! The sandbox every step of grading that runs learner code goes through:
//! the build (build scripts are learner code in some lessons), the lesson's
//! program and its test programs. Built on bubblewrap (`bwrap`), an existing,
//! small, widely packaged tool (Flatpak's), not on code of our own.
//!
//! An allow-list: a step starts from an empty root and sees only what it
//! needs: the system's programs and libraries (/usr and the /bin, /lib...
//! beside it), the few /etc files the toolchain reads (and a minimal
//! passwd and group), the Rust toolchain and the cargo registry (read-only),
//! its own job's workspace (read-only) with its cargo target folder
//! (writable during the build) and the lesson programs' output folder
//! (writable while a program runs), a private /tmp and /dev/shm of bounded
//! size, /proc and a minimal /dev. Nothing else exists inside: not the
//! instructor's workbook, not the work folder's other workspaces, not the
//! submissions, not /root nor /etc/shadow; bwrap's own command line (pid 1's,
//! which every process inside can read) is passed through a file, so not
//! even this job's paths are spelt there.
//!
//! Learner code runs as an unprivileged user (uid and gid 65534, `nobody`,
//! when the grader is root; else the grader's own user), with no
//! capabilities and no new privileges: the folders it must write are handed
//! to that user, the rest stays read-only to it. No network, a PID
//! namespace (every process a step started ends with it). The whole tree of
//! a step is in a cgroup of its own (process/cgroup.rs) bounding memory
//! (tmpfs included), processes and CPU. How the step ended is read from
//! bwrap's `--json-status-fd` and a report file the step itself cannot
//! write, never from its output.

// Elsewhere than on Unix the sandbox only says it cannot run.
#![cfg_attr(not(unix), allow(dead_code, unused_imports))]

use std::collections::BTreeSet;
use std::ffi::{OsStr, OsString};
#[cfg(unix)]
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, bail};

use crate::check::CheckEnv;
use crate::process::TreeLimits;
#[cfg(target_os = "linux")]
use crate::process::cgroup::Hierarchy;

/// What a step does, which decides what it may write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// cargo compiling the lesson: its target folder is writable.
    Build,
    /// The lesson's program or test programs: the target folder is read-only,
    /// so compiled checks cannot be swapped.
    Run,
}

/// The largest file a sandboxed step may write (a test program is ~30 MB),
/// and the size of its /tmp.
pub const MAX_FILE_BYTES: u64 = 1 << 30;
/// The size of a step's /dev/shm (its memory counts in the cgroup, too).
pub const SHM_BYTES: u64 = 1 << 30;
/// The most processes of the unprivileged user while a step runs (where no
/// cgroup can be made, this is the only bound on processes).
pub const MAX_PROCESSES: u64 = 4096;
/// The user learner code runs as when the grader is root: `nobody`.
pub const UNPRIVILEGED: u32 = 65534;

/// The memory of a step's whole tree, by default.
pub const DEFAULT_MEMORY_MIB: u64 = 4096;
/// The processes (and threads) of a step's whole tree, by default.
pub const DEFAULT_PROCESSES: u64 = 1024;

/// The limits on each step's whole tree: the defaults, or what
/// `FFI_WORKBOOK_GRADE_MEMORY_MIB` and `FFI_WORKBOOK_GRADE_PROCESSES` say
/// (the project's tests use small ones), with `cpus` cores.
pub fn tree_limits(cpus: f64) -> TreeLimits {
    let number = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|n| *n > 0)
            .unwrap_or(default)
    };
    TreeLimits {
        memory: number("FFI_WORKBOOK_GRADE_MEMORY_MIB", DEFAULT_MEMORY_MIB) << 20,
        processes: number("FFI_WORKBOOK_GRADE_PROCESSES", DEFAULT_PROCESSES),
        cpus: cpus.max(1.0),
    }
}

#[derive(Debug)]
pub struct Sandbox {
    bwrap: PathBuf,
    /// What `bwrap --version` said.
    pub version: String,
    /// Read-only folders and files shown inside at their own paths: the
    /// system's, the toolchain's.
    read_only: Vec<PathBuf>,
    /// Links such as /bin -> usr/bin, made again inside.
    links: Vec<(PathBuf, PathBuf)>,
    cargo_home: PathBuf,
    rustup_home: Option<PathBuf>,
    /// A folder of this job's, never visible inside: each step's argument,
    /// status and report files, and the minimal /etc/passwd and group.
    tmp_root: PathBuf,
    /// The user learner code runs as, when the grader can switch to one.
    user: Option<u32>,
    /// The limits each step's cgroup is given (cgroups are Linux's: elsewhere
    /// the sandbox does not run at all, and the field is only kept).
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    limits: TreeLimits,
    #[cfg(target_os = "linux")]
    cgroups: Option<Hierarchy>,
    /// Why there is no cgroup, when there is none.
    no_cgroup: Option<String>,
    /// Writable folders already handed to `user`, by (device, inode).
    handed_over: Mutex<BTreeSet<(u64, u64)>>,
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

/// The /etc files a build needs (the dynamic loader's cache, `cc` and
/// friends through Debian's alternatives, the time zone), where they exist.
const ETC_FILES: &[&str] = &[
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/alternatives",
    "/etc/localtime",
    "/etc/nsswitch.conf",
];

#[cfg(unix)]
fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

#[cfg(not(unix))]
fn is_root() -> bool {
    false
}

#[cfg(unix)]
fn own_uid() -> u32 {
    // SAFETY: getuid has no preconditions.
    unsafe { libc::getuid() }
}

#[cfg(not(unix))]
fn own_uid() -> u32 {
    0
}

impl Sandbox {
    /// Finds bwrap and proves it works here; `tmp_root` is a folder of the
    /// job's for the steps' own files; `limits` bound each step's tree.
    pub fn new(tmp_root: PathBuf, limits: TreeLimits) -> Result<Sandbox> {
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
            .or_else(|| home().map(|h| h.join(".rustup")))
            .filter(|path| path.exists());
        let mut read_only: Vec<PathBuf> = vec![PathBuf::from("/usr")];
        let mut links = Vec::new();
        for top in ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"] {
            let path = PathBuf::from(top);
            match std::fs::read_link(&path) {
                Ok(to) => links.push((to, path)),
                Err(_) if path.is_dir() => read_only.push(path),
                Err(_) => {}
            }
        }
        read_only.extend(ETC_FILES.iter().map(PathBuf::from));
        read_only.extend(
            ["bin", "registry", "git", "config.toml", "config"]
                .iter()
                .map(|part| cargo_home.join(part)),
        );
        read_only.extend(rustup_home.clone());
        // The cargo and rustc actually in use, wherever they live.
        for tool in [std::env::var_os("CARGO"), std::env::var_os("RUSTC")]
            .into_iter()
            .flatten()
        {
            if let Some(bin) = PathBuf::from(tool).parent() {
                read_only.push(bin.to_path_buf());
            }
        }
        read_only.retain(|path| path.exists());
        read_only.dedup();
        std::fs::create_dir_all(&tmp_root)
            .with_context(|| format!("creating {}", tmp_root.display()))?;
        let user = is_root().then_some(UNPRIVILEGED);
        // Who is who inside: root (owner of the system's files) and the
        // user learner code runs as.
        let me = user.unwrap_or_else(own_uid);
        std::fs::write(
            tmp_root.join("passwd"),
            format!(
                "root:x:0:0:root:/nonexistent:/usr/sbin/nologin\n\
                 learner:x:{me}:{me}:learner:/nonexistent:/usr/sbin/nologin\n"
            ),
        )?;
        std::fs::write(
            tmp_root.join("group"),
            format!("root:x:0:\nlearner:x:{me}:\n"),
        )?;
        #[cfg(target_os = "linux")]
        let (cgroups, no_cgroup) = match Hierarchy::find() {
            Ok(found) => (Some(found), None),
            Err(why) => (None, Some(why)),
        };
        #[cfg(not(target_os = "linux"))]
        let no_cgroup = Some("cgroups are Linux's".to_string());
        Ok(Sandbox {
            bwrap,
            version,
            read_only,
            links,
            cargo_home,
            rustup_home,
            tmp_root,
            user,
            limits,
            #[cfg(target_os = "linux")]
            cgroups,
            no_cgroup,
            handed_over: Mutex::new(BTreeSet::new()),
        })
    }

    /// For the report's header: the sandbox, the user and the cgroups.
    pub fn describe(&self) -> String {
        let user = match self.user {
            Some(uid) => format!("learner code as uid {uid}"),
            None => "learner code as the grader's own user".to_string(),
        };
        #[cfg(target_os = "linux")]
        if let Some(cgroups) = &self.cgroups {
            return format!(
                "{} (allow-list, {user}); {}",
                self.version,
                cgroups.describe(&self.limits)
            );
        }
        format!(
            "{} (allow-list, {user}); no cgroup, so memory and processes are bounded per \
             process only: {}",
            self.version,
            self.no_cgroup.as_deref().unwrap_or("unknown")
        )
    }

    /// The user learner code runs as, if the grader switches to one.
    pub fn user(&self) -> Option<u32> {
        self.user
    }

    /// Makes `dir` (made if need be) and everything in it the learner
    /// user's, once per folder: a step must be able to write it.
    #[cfg(not(unix))]
    pub fn hand_over(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)
    }

    #[cfg(unix)]
    pub fn hand_over(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let Some(uid) = self.user else {
            return Ok(());
        };
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(dir)?;
        let key = (meta.dev(), meta.ino());
        let mut done = self.handed_over.lock().unwrap_or_else(|e| e.into_inner());
        if done.contains(&key) {
            return Ok(());
        }
        // A folder already the user's was handed over whole (the top comes
        // last), or made so on purpose (job.rs's fresh copies keep their
        // read-only files the grader's).
        if meta.uid() != uid {
            chown_tree(dir, uid)?;
        }
        done.insert(key);
        Ok(())
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
        let base = self.tmp_root.join(format!(
            "step-{}-{}",
            std::process::id(),
            STEPS.fetch_add(1, Ordering::Relaxed)
        ));
        let files = StepFiles {
            args: base.with_extension("args"),
            status: base.with_extension("status"),
            report: base.with_extension("report"),
        };
        let result = self.run_with(inner, step, env, limits, &files);
        for path in [&files.args, &files.status, &files.report] {
            let _ = std::fs::remove_file(path);
        }
        result
    }

    #[cfg(not(unix))]
    fn run_with(
        &self,
        _inner: &Command,
        _step: Step,
        _env: &CheckEnv,
        _limits: crate::process::Limits,
        _files: &StepFiles,
    ) -> std::io::Result<crate::process::RunOutput> {
        Err(std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            "the sandbox runs on Linux only",
        ))
    }

    #[cfg(unix)]
    fn run_with(
        &self,
        inner: &Command,
        step: Step,
        env: &CheckEnv,
        limits: crate::process::Limits,
        files: &StepFiles,
    ) -> std::io::Result<crate::process::RunOutput> {
        let target = env.target();
        self.hand_over(&target)?;
        self.hand_over(&env.out_dir)?;
        let (options, step_command) = self.arguments(inner, step, env);
        let mut joined = Vec::new();
        for arg in &options {
            joined.extend_from_slice(arg.as_bytes());
            joined.push(0);
        }
        std::fs::write(&files.args, joined)?;
        let args_file = std::fs::File::open(&files.args)?;
        let status_file = std::fs::File::create(&files.status)?;
        let report_file = std::fs::File::create(&files.report)?;
        let mut command = Command::new(&self.bwrap);
        // bwrap's options come from a file, so that its command line (which
        // every process inside can read) names no mount; the step's own
        // command cannot be read from there.
        command.args(["--args", "3", "--"]).args(step_command);
        self.environment(&mut command, inner);
        #[cfg(target_os = "linux")]
        let group = match &self.cgroups {
            Some(cgroups) => Some(Arc::new(cgroups.create(self.limits)?)),
            None => None,
        };
        #[cfg(not(target_os = "linux"))]
        let group: Option<Arc<()>> = None;
        {
            use std::os::fd::AsRawFd;
            use std::os::unix::process::CommandExt;
            let fds = [
                args_file.as_raw_fd(),
                status_file.as_raw_fd(),
                report_file.as_raw_fd(),
            ];
            let inside = group.clone();
            // SAFETY: between fork and exec this only writes to files opened
            // beforehand (the cgroup's) and duplicates descriptors.
            unsafe {
                command.pre_exec(move || {
                    #[cfg(target_os = "linux")]
                    if let Some(group) = &inside {
                        group.enter()?;
                    }
                    #[cfg(not(target_os = "linux"))]
                    let _ = &inside;
                    place_fds(&fds)
                });
            }
        }
        let run = crate::process::run(&mut command, limits);
        drop((args_file, status_file, report_file));
        let mut run = run?;
        let status = std::fs::read_to_string(&files.status).unwrap_or_default();
        let report = std::fs::read_to_string(&files.report).unwrap_or_default();
        apply_status(&mut run, &status, &report);
        #[cfg(target_os = "linux")]
        if let Some(group) = group {
            run.limit = group.reached();
            // Dropped: whatever is left in it is killed, and it is removed.
        }
        Ok(run)
    }

    /// bwrap's options, and the command it runs, for `inner`, `step` of a
    /// check in `env`.
    fn arguments(
        &self,
        inner: &Command,
        step: Step,
        env: &CheckEnv,
    ) -> (Vec<OsString>, Vec<OsString>) {
        let mut args: Vec<OsString> = Vec::new();
        let mut add = |parts: &[&OsStr]| args.extend(parts.iter().map(|p| p.to_os_string()));
        add(&["--die-with-parent".as_ref(), "--new-session".as_ref()]);
        for space in [
            "--unshare-pid",
            "--unshare-net",
            "--unshare-ipc",
            "--unshare-uts",
        ] {
            add(&[space.as_ref()]);
        }
        add(&["--unshare-cgroup-try".as_ref()]);
        if self.user.is_none() {
            // Not root: bubblewrap needs a user namespace to do its work.
            add(&["--unshare-user".as_ref()]);
        }
        // The private folders first: a workspace under /tmp is bound inside
        // the new one.
        add(&[
            "--proc".as_ref(),
            "/proc".as_ref(),
            "--dev".as_ref(),
            "/dev".as_ref(),
        ]);
        let tmp_size = MAX_FILE_BYTES.to_string();
        let shm_size = SHM_BYTES.to_string();
        for (dir, size) in [("/tmp", &tmp_size), ("/dev/shm", &shm_size)] {
            add(&[
                "--perms".as_ref(),
                "1777".as_ref(),
                "--size".as_ref(),
                size.as_ref(),
                "--tmpfs".as_ref(),
                dir.as_ref(),
            ]);
        }
        // Every folder on the way to a mount, made first, readable by all
        // (bwrap would make them private).
        let target = env.target();
        let mut mounted: Vec<PathBuf> = self.read_only.clone();
        mounted.extend([
            self.cargo_home.clone(),
            env.root.clone(),
            target.clone(),
            env.out_dir.clone(),
            PathBuf::from("/etc/passwd"),
        ]);
        if let Some(dir) = inner.get_current_dir() {
            mounted.push(dir.to_path_buf());
        }
        let mut parents = BTreeSet::new();
        for path in &mounted {
            for parent in path.ancestors().skip(1) {
                if parent != Path::new("/") && !parent.as_os_str().is_empty() {
                    parents.insert(parent.to_path_buf());
                }
            }
        }
        // BTreeSet order puts a folder before what is inside it.
        for parent in &parents {
            if self.links.iter().any(|(_, link)| parent.starts_with(link)) {
                continue;
            }
            add(&[
                "--perms".as_ref(),
                "0755".as_ref(),
                "--dir".as_ref(),
                parent.as_os_str(),
            ]);
        }
        for (to, link) in &self.links {
            add(&["--symlink".as_ref(), to.as_os_str(), link.as_os_str()]);
        }
        for path in &self.read_only {
            add(&["--ro-bind".as_ref(), path.as_os_str(), path.as_os_str()]);
        }
        for file in ["passwd", "group"] {
            let from = self.tmp_root.join(file);
            let to = Path::new("/etc").join(file);
            add(&["--ro-bind".as_ref(), from.as_os_str(), to.as_os_str()]);
        }
        let root = env.root.as_os_str();
        add(&["--ro-bind".as_ref(), root, root]);
        let writable_target = if step == Step::Build {
            "--bind"
        } else {
            "--ro-bind"
        };
        add(&[
            writable_target.as_ref(),
            target.as_os_str(),
            target.as_os_str(),
        ]);
        if step == Step::Run {
            // rustc's incremental caches hold what earlier submissions'
            // lessons compiled to; a running program has no use for them.
            for profile in std::fs::read_dir(&target).into_iter().flatten().flatten() {
                let caches = profile.path().join("incremental");
                if caches.is_dir() {
                    add(&["--tmpfs".as_ref(), caches.as_os_str()]);
                }
            }
        }
        // What lesson programs make; a build has no business there (builds
        // run beside other lessons' checks, which read it).
        if step == Step::Run {
            let out = env.out_dir.as_os_str();
            add(&["--bind".as_ref(), out, out]);
        }
        if let Some(dir) = inner.get_current_dir() {
            add(&["--chdir".as_ref(), dir.as_os_str()]);
        }
        // The caps the step's own script needs to become the learner user;
        // the learner's code gets none.
        add(&["--cap-drop".as_ref(), "ALL".as_ref()]);
        if self.user.is_some() {
            for cap in ["CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP"] {
                add(&["--cap-add".as_ref(), cap.as_ref()]);
            }
        }
        add(&["--json-status-fd".as_ref(), "4".as_ref()]);
        let user = match self.user {
            Some(uid) => format!("--reuid={uid} --regid={uid} --clear-groups"),
            None => String::new(),
        };
        let mut command: Vec<OsString> = vec![
            "sh".into(),
            "-c".into(),
            STEP_SCRIPT.into(),
            "ffi-workbook-step".into(),
            user.into(),
            format!("--fsize={MAX_FILE_BYTES}").into(),
            format!("--nproc={MAX_PROCESSES}").into(),
            inner.get_program().to_os_string(),
        ];
        command.extend(inner.get_args().map(OsStr::to_os_string));
        (args, command)
    }

    /// The step's environment: only the grader's non-secret variables, and
    /// those the inner command was given.
    fn environment(&self, command: &mut Command, inner: &Command) {
        command.env_clear();
        for (key, value) in std::env::vars_os() {
            if passed_on(&key.to_string_lossy()) {
                command.env(key, value);
            }
        }
        for (key, value) in inner.get_envs() {
            match value {
                Some(value) => command.env(key, value),
                None => command.env_remove(key),
            };
        }
        command
            .env("CARGO_HOME", &self.cargo_home)
            .env("TMPDIR", "/tmp");
        if let Some(rustup) = &self.rustup_home {
            command.env("RUSTUP_HOME", rustup);
        }
    }
}

/// The files one step's sandbox reads and writes outside it.
struct StepFiles {
    args: PathBuf,
    status: PathBuf,
    report: PathBuf,
}

#[cfg(unix)]
/// In the child, between fork and exec: `fds` become 3, 4 and 5 (bwrap's
/// arguments, its status, the step's report), open across the exec.
fn place_fds(fds: &[i32; 3]) -> std::io::Result<()> {
    let mut high = [0; 3];
    for (i, fd) in fds.iter().enumerate() {
        // First out of the way, so that no target is also a source.
        // SAFETY: fcntl and dup2 on descriptors this process holds.
        high[i] = unsafe { libc::fcntl(*fd, libc::F_DUPFD, 10) };
        if high[i] < 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    for (i, fd) in high.iter().enumerate() {
        // SAFETY: as above; dup2's copy is not closed on exec.
        if unsafe { libc::dup2(*fd, 3 + i as i32) } < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: closing a descriptor of our own.
        unsafe { libc::close(*fd) };
    }
    Ok(())
}

#[cfg(unix)]
/// Gives `dir` and everything under it to `uid` (links themselves, never
/// what they point to), walking without recursion; `dir` itself last.
fn chown_tree(dir: &Path, uid: u32) -> std::io::Result<()> {
    let mut todo = vec![dir.to_path_buf()];
    while let Some(next) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&next) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                todo.push(path.clone());
            }
            std::os::unix::fs::lchown(&path, Some(uid), Some(uid))?;
        }
    }
    std::os::unix::fs::lchown(dir, Some(uid), Some(uid))
}

/// The shell script each sandboxed step runs, as root in the sandbox with
/// only the capabilities to drop to the learner user: `$1` is setpriv's
/// user options, `$2`, `$3` prlimit's, the rest the step. Descriptors 3 and
/// 4 are bwrap's, 5 this script's report; the step gets none of them. In the
/// PID namespace, pid 1 is bwrap and pid 2 this shell, so any other process
/// is one the step left behind.
const STEP_SCRIPT: &str = r#"exec 3<&- 4>&-
user=$1; fsize=$2; nproc=$3; shift 3
if [ -n "$user" ]; then
  setpriv $user --inh-caps=-all --bounding-set=-all --no-new-privs prlimit "$fsize" "$nproc" -- "$@" 5>&-
else
  setpriv --no-new-privs prlimit "$fsize" "$nproc" -- "$@" 5>&-
fi
status=$?
set -- /proc/[0-9]*
echo "status $status left $(($# - 2))" >&5
exit "$status""#;

/// What bwrap's status (`--json-status-fd`: its child's pid, then its exit
/// code) and the step script's report say, applied to the run: an exit
/// status above 128 that the step's shell saw is the signal it stands for,
/// and the processes the step left running are its strays. Neither file
/// can be written by the step.
pub fn apply_status(run: &mut crate::process::RunOutput, status: &str, report: &str) {
    use crate::process::Ending;
    let number_after = |text: &str, key: &str| -> Option<i64> {
        let rest = &text[text.find(key)? + key.len()..];
        let digits: String = rest
            .trim_start_matches([' ', ':', '"'])
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '-')
            .collect();
        digits.parse().ok()
    };
    let exit_code = number_after(status, "\"exit-code\"");
    let seen = number_after(report, "status ");
    if let Some(left) = number_after(report, "left ") {
        run.strays = usize::try_from(left).unwrap_or(0);
    }
    if let (Ending::Exited(code), Some(exit), Some(seen)) = (run.ending, exit_code, seen)
        && i64::from(code) == exit
        && exit == seen
        && (129..=192).contains(&code)
    {
        run.ending = Ending::Signaled(code - 128);
    }
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
    fn the_steps_status_comes_from_files_it_cannot_write() {
        use crate::process::{Ending, RunOutput};
        let run = |ending, stderr: &str| RunOutput {
            ending,
            stdout: String::new(),
            stderr: stderr.into(),
            strays: 0,
            limit: None,
        };
        let json = |code: i32| format!("{{ \"child-pid\": 12 }}\n{{ \"exit-code\": {code} }}\n");
        let mut crashed = run(Ending::Exited(139), "boom\n");
        apply_status(&mut crashed, &json(139), "status 139 left 0\n");
        assert_eq!(crashed.ending, Ending::Signaled(11));
        assert_eq!(crashed.stderr, "boom\n");
        let mut daemon = run(Ending::Exited(0), "");
        apply_status(&mut daemon, &json(0), "status 0 left 2\n");
        assert_eq!((daemon.ending, daemon.strays), (Ending::Exited(0), 2));
        // What the step printed itself changes nothing.
        let mut liar = run(Ending::Exited(0), "status 139 left 0\n\"exit-code\": 139\n");
        apply_status(&mut liar, &json(0), "status 0 left 0\n");
        assert_eq!(liar.ending, Ending::Exited(0));
        // A time-out has no report: nothing changes.
        let mut hung = run(Ending::TimedOut, "partial");
        apply_status(&mut hung, "", "");
        assert_eq!(
            (hung.ending, hung.stderr.as_str()),
            (Ending::TimedOut, "partial")
        );
    }

    /// A real step, where bubblewrap is installed: what it sees and who it is.
    #[test]
    #[cfg(target_os = "linux")]
    fn a_step_sees_only_the_allow_list_and_is_not_root() {
        if find_in_path("bwrap").is_none() {
            eprintln!("SKIPPED sandbox step test: bwrap is not installed");
            return;
        }
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("workbook");
        std::fs::create_dir_all(&root).unwrap();
        let secret = tmp.path().join("other-submission.rs");
        std::fs::write(&secret, "answer").unwrap();
        let limits = crate::process::Limits {
            timeout: std::time::Duration::from_secs(20),
            output_cap: 1 << 20,
            memory: None,
        };
        let env = CheckEnv::for_workbook(&root, limits);
        let sandbox = Sandbox::new(tmp.path().join("job-tmp"), tree_limits(1.0)).unwrap();
        let mut command = Command::new("sh");
        command.current_dir(&root).arg("-c").arg(format!(
            "id -u; ls /; cat /etc/shadow {} 2>&1 | wc -l; touch /tmp/x && echo tmp ok; \
             touch {}/x 2>/dev/null || echo workspace read-only",
            secret.display(),
            root.display()
        ));
        let run = sandbox.run(&command, Step::Run, &env, limits).unwrap();
        assert_eq!(run.ending, crate::process::Ending::Exited(0), "{run:?}");
        let lines: Vec<&str> = run.stdout.lines().collect();
        if is_root() {
            assert_eq!(lines[0], UNPRIVILEGED.to_string(), "{run:?}");
        }
        for line in &lines {
            assert!(!line.contains("answer"), "{run:?}");
        }
        // The top of the root holds what the allow-list names, and nothing
        // of the grader's own folders (the temporary one appears only as
        // the way to the workspace).
        for hidden in ["home", "root", "var", "mnt", "opt", "srv"] {
            let seen = lines.contains(&hidden);
            let needed = [&root, &sandbox.cargo_home]
                .iter()
                .any(|p| p.starts_with(format!("/{hidden}")));
            assert!(!seen || needed, "/{hidden} is visible: {run:?}");
        }
        assert!(lines.contains(&"tmp ok"), "{run:?}");
        assert!(lines.contains(&"workspace read-only"), "{run:?}");
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
