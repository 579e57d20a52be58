//! A control group around the whole tree of one sandboxed step, so that
//! memory (a process's own, its children's, and what it keeps in tmpfs or
//! /dev/shm, which the kernel charges to the group too), processes and CPU
//! are bounded for everything the step starts, root included (RLIMIT_NPROC
//! does not bind root, and RLIMIT_AS is per process).
//!
//! cgroup v2 where it has the memory and pids controllers for us, else the
//! v1 hierarchies (`memory`, `pids`, and `cpu` if mounted). Each step gets
//! a group of its own below the grader's, entered by the step's first
//! process before it execs (so nothing it starts is ever outside), read
//! after the step (did it reach a limit?), then emptied and removed.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub use super::{LimitReached, TreeLimits};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Version {
    V1,
    V2,
}

/// Where this grader makes its step groups.
#[derive(Debug, Clone)]
pub struct Hierarchy {
    version: Version,
    /// v2: one folder. v1: the memory folder, the pids folder and, if
    /// there is one, the cpu folder.
    memory: PathBuf,
    pids: PathBuf,
    cpu: Option<PathBuf>,
}

/// One step's group, removed (and whatever is left in it killed) on drop.
#[derive(Debug)]
pub struct Group {
    version: Version,
    dirs: Vec<PathBuf>,
    /// Each folder's `cgroup.procs`, opened for the step's first process to
    /// write itself into between fork and exec.
    procs: Vec<File>,
    limits: TreeLimits,
}

/// The mount point of the cgroup file system holding `controller` (v1), or
/// of the v2 hierarchy (`controller` None), from /proc/self/mountinfo.
fn mount_point(controller: Option<&str>) -> Option<PathBuf> {
    let info = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    info.lines().find_map(|line| {
        let (before, after) = line.split_once(" - ")?;
        let mut after = after.split_whitespace();
        let fstype = after.next()?;
        let options = after.nth(1).unwrap_or("");
        let mount = before.split_whitespace().nth(4)?;
        let wanted = match controller {
            None => fstype == "cgroup2",
            Some(name) => fstype == "cgroup" && options.split(',').any(|o| o == name),
        };
        wanted.then(|| PathBuf::from(mount))
    })
}

/// This process's own group in the hierarchy holding `controller` (v1), or
/// in v2 (`controller` None), from /proc/self/cgroup.
fn own_path(controller: Option<&str>) -> Option<String> {
    let text = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    text.lines().find_map(|line| {
        let mut parts = line.splitn(3, ':');
        let (_, names, path) = (parts.next()?, parts.next()?, parts.next()?);
        let wanted = match controller {
            None => names.is_empty(),
            Some(name) => names.split(',').any(|n| n == name),
        };
        wanted.then(|| path.to_string())
    })
}

fn join(mount: &Path, path: &str) -> PathBuf {
    mount.join(path.trim_start_matches('/'))
}

/// Removes the step groups in `dir` left by a grader that is gone (killed
/// mid-step): their processes are killed with them.
fn remove_stale(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix("ffi-workbook-")
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        let mut stale = Group {
            version: Version::V1,
            dirs: vec![entry.path()],
            procs: Vec::new(),
            limits: TreeLimits {
                memory: 0,
                processes: 0,
                cpus: 0.0,
            },
        };
        stale.remove();
    }
}

/// Can a group be made (and removed) in `dir`?
fn can_make_groups(dir: &Path) -> io::Result<()> {
    let probe = dir.join(format!("ffi-workbook-probe-{}", std::process::id()));
    std::fs::create_dir(&probe)?;
    std::fs::remove_dir(&probe)
}

impl Hierarchy {
    /// The hierarchy to make step groups in, or why there is none.
    pub fn find() -> Result<Hierarchy, String> {
        let v2 = Self::find_v2();
        if let Ok(found) = v2 {
            return Ok(found);
        }
        Self::find_v1().map_err(|v1| {
            format!(
                "no cgroup could be made ({}; {v1})",
                v2.err().unwrap_or_default()
            )
        })
    }

    fn find_v2() -> Result<Hierarchy, String> {
        let mount = mount_point(None).ok_or("no cgroup2 file system is mounted")?;
        let path = own_path(None).ok_or("this process is in no cgroup2 group")?;
        let dir = join(&mount, &path);
        let controllers =
            std::fs::read_to_string(dir.join("cgroup.controllers")).unwrap_or_default();
        let has = |name: &str| controllers.split_whitespace().any(|c| c == name);
        if !has("memory") || !has("pids") {
            return Err(format!(
                "cgroup v2 at {} offers no memory and pids controllers here",
                mount.display()
            ));
        }
        // A v2 group with processes of its own cannot hand controllers to
        // groups below it: the grader moves itself one level down first.
        let wanted = if has("cpu") {
            "+memory +pids +cpu"
        } else {
            "+memory +pids"
        };
        let enable = |dir: &Path| std::fs::write(dir.join("cgroup.subtree_control"), wanted);
        if enable(&dir).is_err() {
            let me = dir.join(format!("ffi-workbook-grader-{}", std::process::id()));
            let _ = std::fs::create_dir(&me);
            std::fs::write(me.join("cgroup.procs"), std::process::id().to_string())
                .and_then(|()| enable(&dir))
                .map_err(|err| format!("cgroup v2 at {}: {err}", dir.display()))?;
        }
        can_make_groups(&dir).map_err(|err| format!("cgroup v2 at {}: {err}", dir.display()))?;
        remove_stale(&dir);
        Ok(Hierarchy {
            version: Version::V2,
            memory: dir.clone(),
            pids: dir.clone(),
            cpu: has("cpu").then_some(dir),
        })
    }

    fn find_v1() -> Result<Hierarchy, String> {
        let folder = |controller: &str| -> Result<PathBuf, String> {
            let mount = mount_point(Some(controller))
                .ok_or_else(|| format!("no cgroup v1 `{controller}` hierarchy is mounted"))?;
            let path = own_path(Some(controller)).unwrap_or_else(|| "/".into());
            let dir = join(&mount, &path);
            can_make_groups(&dir)
                .map_err(|err| format!("cgroup v1 at {}: {err}", dir.display()))?;
            remove_stale(&dir);
            Ok(dir)
        };
        Ok(Hierarchy {
            version: Version::V1,
            memory: folder("memory")?,
            pids: folder("pids")?,
            cpu: folder("cpu").ok(),
        })
    }

    /// For the report: which cgroups bound each step.
    pub fn describe(&self, limits: &TreeLimits) -> String {
        format!(
            "cgroup {} per step: {} MiB of memory (tmpfs and /dev/shm included), {} processes{}",
            match self.version {
                Version::V1 => "v1",
                Version::V2 => "v2",
            },
            limits.memory >> 20,
            limits.processes,
            match self.cpu {
                Some(_) => format!(", {} CPUs", limits.cpus),
                None => String::new(),
            }
        )
    }

    /// A new, empty group with `limits`, for one step.
    pub fn create(&self, limits: TreeLimits) -> io::Result<Group> {
        static STEPS: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "ffi-workbook-{}-{}",
            std::process::id(),
            STEPS.fetch_add(1, Ordering::Relaxed)
        );
        let mut parents = vec![self.memory.clone()];
        if self.version == Version::V1 {
            parents.push(self.pids.clone());
            parents.extend(self.cpu.clone());
        }
        let mut group = Group {
            version: self.version,
            dirs: Vec::new(),
            procs: Vec::new(),
            limits,
        };
        for parent in parents {
            let dir = parent.join(&name);
            std::fs::create_dir(&dir)?;
            group.dirs.push(dir);
        }
        let period = 100_000u64;
        let quota = (limits.cpus * period as f64) as u64;
        let set = |file: &str, value: String| -> io::Result<()> {
            let path = group.find(file).unwrap_or_default();
            std::fs::write(&path, value)
                .map_err(|err| io::Error::new(err.kind(), format!("{}: {err}", path.display())))
        };
        match self.version {
            Version::V1 => {
                set("memory.limit_in_bytes", limits.memory.to_string())?;
                // Swap counts too where the kernel accounts it.
                if group.find("memory.memsw.limit_in_bytes").is_some() {
                    let _ = set("memory.memsw.limit_in_bytes", limits.memory.to_string());
                }
                set("pids.max", limits.processes.to_string())?;
                if self.cpu.is_some() {
                    set("cpu.cfs_period_us", period.to_string())?;
                    set("cpu.cfs_quota_us", quota.max(1000).to_string())?;
                }
            }
            Version::V2 => {
                set("memory.max", limits.memory.to_string())?;
                let _ = set("memory.swap.max", "0".into());
                set("pids.max", limits.processes.to_string())?;
                if self.cpu.is_some() {
                    set("cpu.max", format!("{} {period}", quota.max(1000)))?;
                }
            }
        }
        for dir in &group.dirs {
            group
                .procs
                .push(File::options().write(true).open(dir.join("cgroup.procs"))?);
        }
        Ok(group)
    }
}

impl Group {
    /// The folder of this group that has `file`.
    fn find(&self, file: &str) -> Option<PathBuf> {
        self.dirs
            .iter()
            .map(|dir| dir.join(file))
            .find(|path| path.exists())
    }

    /// Moves the calling process into the group. Called in the step's first
    /// process between fork and exec: it only writes to open files.
    pub fn enter(&self) -> io::Result<()> {
        for file in &self.procs {
            // "0" is the writing process itself.
            (&*file).write_all(b"0")?;
        }
        Ok(())
    }

    /// The number after `key` in the group's `file` (`key value` lines).
    fn counter(&self, file: &str, key: &str) -> u64 {
        let Some(path) = self.find(file) else {
            return 0;
        };
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .find_map(|line| {
                let (name, value) = line.split_once(' ')?;
                (name == key).then(|| value.trim().parse().ok())?
            })
            .unwrap_or(0)
    }

    /// The limit the step's tree ran into, if any.
    pub fn reached(&self) -> Option<LimitReached> {
        let oom_kills = match self.version {
            Version::V1 => self.counter("memory.oom_control", "oom_kill"),
            Version::V2 => self.counter("memory.events", "oom_kill"),
        };
        if oom_kills > 0 {
            return Some(LimitReached::Memory {
                mib: self.limits.memory >> 20,
            });
        }
        if self.counter("pids.events", "max") > 0 {
            return Some(LimitReached::Processes {
                max: self.limits.processes,
            });
        }
        None
    }

    /// Kills whatever is still in the group and removes it.
    fn remove(&mut self) {
        for _ in 0..50 {
            let mut left = 0;
            for dir in &self.dirs {
                let procs = std::fs::read_to_string(dir.join("cgroup.procs")).unwrap_or_default();
                for pid in procs.lines().filter_map(|l| l.trim().parse::<i32>().ok()) {
                    left += 1;
                    // SAFETY: kill only sends a signal.
                    unsafe {
                        libc::kill(pid, libc::SIGKILL);
                    }
                }
            }
            self.dirs.retain(|dir| std::fs::remove_dir(dir).is_err());
            if self.dirs.is_empty() {
                return;
            }
            std::thread::sleep(Duration::from_millis(if left > 0 { 5 } else { 20 }));
        }
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        self.procs.clear();
        self.remove();
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::os::unix::process::CommandExt;
    use std::sync::Arc;

    /// A group for a test, or None (said) where this machine makes none.
    fn group(limits: TreeLimits) -> Option<Arc<Group>> {
        match Hierarchy::find() {
            Ok(found) => Some(Arc::new(found.create(limits).unwrap())),
            Err(why) => {
                eprintln!("SKIPPED cgroup test: {why}");
                None
            }
        }
    }

    fn run_in(group: &Arc<Group>, script: &str) -> std::process::ExitStatus {
        let mut command = std::process::Command::new("sh");
        command.args(["-c", script]);
        let inside = group.clone();
        // SAFETY: enter only writes to files opened beforehand.
        unsafe {
            command.pre_exec(move || inside.enter());
        }
        command.status().unwrap()
    }

    #[test]
    fn processes_are_limited_for_the_whole_tree() {
        let limits = TreeLimits {
            memory: 256 << 20,
            processes: 16,
            cpus: 1.0,
        };
        let Some(group) = group(limits) else { return };
        assert_eq!(group.reached(), None);
        run_in(&group, "for i in $(seq 40); do sleep 1 & done; wait");
        assert_eq!(group.reached(), Some(LimitReached::Processes { max: 16 }));
    }

    #[test]
    fn memory_is_limited_for_the_whole_tree() {
        let limits = TreeLimits {
            memory: 64 << 20,
            processes: 64,
            cpus: 1.0,
        };
        let Some(group) = group(limits) else { return };
        // Three children of 40 MB each: each under the limit, not together.
        run_in(
            &group,
            "for i in 1 2 3; do dd if=/dev/zero of=/dev/null bs=40M count=100 2>/dev/null & done; wait",
        );
        assert_eq!(group.reached(), Some(LimitReached::Memory { mib: 64 }));
    }
}
