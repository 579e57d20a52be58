//! Process trees on Unix. On Linux the checker is a child subreaper (an
//! orphaned descendant is re-parented to it, not to init) and reads /proc to
//! find every member of a run: its descendants, its process group, and every
//! process carrying its tag; elsewhere `ps` gives the same table without the
//! tags. Members are stopped first, so none can fork while the rest are
//! killed, then killed.

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::process::CommandExt;
use std::process::Command;
use std::time::Duration;

use super::{LIVE, Limits, RUN_TAG_ENV};

pub fn init() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with PR_SET_CHILD_SUBREAPER only changes how this
    // process's orphaned descendants are re-parented.
    unsafe {
        libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    }
}

pub fn prepare(command: &mut Command, limits: Limits) {
    // Its own process group: a time-out kills the group even where the tree
    // cannot be read.
    command.process_group(0);
    let memory = limits.memory;
    // SAFETY: the closure runs in the child between fork and exec and only
    // calls setrlimit, which is async-signal-safe.
    unsafe {
        command.pre_exec(move || {
            set_limit(libc::RLIMIT_CORE, 0);
            if let Some(bytes) = memory {
                set_limit(libc::RLIMIT_AS, bytes);
            }
            Ok(())
        });
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
type Resource = libc::__rlimit_resource_t;
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
type Resource = libc::c_int;

fn set_limit(resource: Resource, value: u64) {
    let limit = libc::rlimit {
        rlim_cur: value as libc::rlim_t,
        rlim_max: value as libc::rlim_t,
    };
    // SAFETY: a plain system call on a stack value.
    unsafe {
        libc::setrlimit(resource, &limit);
    }
}

/// One row of the process table.
#[derive(Debug, Clone)]
struct Proc {
    pid: u32,
    ppid: u32,
    pgid: u32,
    zombie: bool,
}

/// The process table, from /proc where there is one, else from `ps`.
fn snapshot() -> Vec<Proc> {
    if let Ok(entries) = std::fs::read_dir("/proc") {
        return entries
            .flatten()
            .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
            .filter_map(|pid| {
                let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
                // The command name is in parentheses and may hold spaces.
                let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
                Some(Proc {
                    pid,
                    zombie: fields.first() == Some(&"Z"),
                    ppid: fields.get(1)?.parse().ok()?,
                    pgid: fields.get(2)?.parse().ok()?,
                })
            })
            .collect();
    }
    let Ok(out) = Command::new("ps")
        .args(["-axo", "pid=,ppid=,pgid=,stat="])
        .output()
    else {
        return Vec::new();
    };
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            Some(Proc {
                pid: f.first()?.parse().ok()?,
                ppid: f.get(1)?.parse().ok()?,
                pgid: f.get(2)?.parse().ok()?,
                zombie: f.get(3).is_some_and(|s| s.starts_with('Z')),
            })
        })
        .collect()
}

/// Does process `pid` carry the run tag `tag` in its environment?
fn tagged(pid: u32, tag: &str) -> bool {
    if tag.is_empty() {
        return false;
    }
    let Ok(environ) = std::fs::read(format!("/proc/{pid}/environ")) else {
        return false;
    };
    let wanted = format!("{RUN_TAG_ENV}={tag}");
    environ
        .split(|&b| b == 0)
        .any(|var| var == wanted.as_bytes())
}

/// The members of the run whose main process is `root`: its descendants,
/// its process group, its tagged processes, and `root` itself.
fn members(root: u32, tag: &str, table: &[Proc]) -> BTreeSet<u32> {
    let mut children: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for p in table {
        children.entry(p.ppid).or_default().push(p.pid);
    }
    let mut found = BTreeSet::new();
    let mut todo = vec![root];
    while let Some(pid) = todo.pop() {
        if found.insert(pid) {
            todo.extend(children.get(&pid).into_iter().flatten().copied());
        }
    }
    for p in table {
        if p.pgid == root || tagged(p.pid, tag) {
            found.insert(p.pid);
        }
    }
    found
}

/// Orphans re-parented to the checker that belong to no live run: left
/// behind by a run whose tree could not be followed. Processes in the
/// checker's own process group (a C compiler it runs itself) are not strays.
fn orphans(table: &[Proc]) -> BTreeSet<u32> {
    let me = std::process::id();
    // SAFETY: getpgrp has no preconditions.
    let my_group = unsafe { libc::getpgrp() } as u32;
    let live: BTreeSet<u32> = LIVE
        .lock()
        .map(|l| l.iter().map(|(pid, _)| *pid).collect())
        .unwrap_or_default();
    table
        .iter()
        .filter(|p| p.ppid == me && p.pgid != my_group && !live.contains(&p.pid))
        .map(|p| p.pid)
        .collect()
}

fn signal(pid: u32, sig: libc::c_int) {
    // SAFETY: kill only sends a signal.
    unsafe {
        libc::kill(pid as libc::pid_t, sig);
    }
}

/// Reaps `pid` if it is a dead child of ours (an orphan re-parented to us).
fn reap(pid: u32) {
    let mut status = 0;
    // SAFETY: waitpid on one pid with WNOHANG never blocks.
    unsafe {
        libc::waitpid(pid as libc::pid_t, &mut status, libc::WNOHANG);
    }
}

/// Ends the run whose main process is `root` (tagged `tag`; "" for none)
/// and returns how many of its processes other than `root` were killed.
/// `root` itself is killed but never reaped here: its owner waits for it.
pub fn kill_tree(root: u32, tag: &str) -> usize {
    let mut killed = BTreeSet::new();
    // A few rounds: a member may have forked between the table and the kill.
    for _ in 0..8 {
        let table = snapshot();
        let zombies: BTreeSet<u32> = table.iter().filter(|p| p.zombie).map(|p| p.pid).collect();
        let mut targets = members(root, tag, &table);
        // Orphans of no live run are ended too, but counted to no run: they
        // may be another run's, left behind in a race.
        let strays = orphans(&table);
        for pid in strays.difference(&targets) {
            signal(*pid, libc::SIGKILL);
        }
        for pid in targets
            .iter()
            .filter(|pid| zombies.contains(pid) && **pid != root)
        {
            reap(*pid);
        }
        targets.retain(|pid| !zombies.contains(pid) && *pid != std::process::id());
        // SAFETY: killpg only sends a signal to the group `root` leads.
        unsafe {
            libc::killpg(root as libc::pid_t, libc::SIGKILL);
        }
        if targets.iter().all(|pid| *pid == root) {
            if targets.is_empty() {
                break;
            }
            signal(root, libc::SIGKILL);
            break;
        }
        for pid in &targets {
            signal(*pid, libc::SIGSTOP);
        }
        for pid in &targets {
            signal(*pid, libc::SIGKILL);
        }
        killed.extend(targets.iter().copied().filter(|pid| *pid != root));
        std::thread::sleep(Duration::from_millis(2));
        for pid in &targets {
            if *pid != root {
                reap(*pid);
            }
        }
    }
    killed.len()
}

/// Ends orphans that belong to no live run.
pub fn kill_strays() {
    let table = snapshot();
    for pid in orphans(&table) {
        signal(pid, libc::SIGKILL);
        std::thread::sleep(Duration::from_millis(1));
        reap(pid);
    }
}
