//! The FFI Workbook's checker, as a library: the binary (main.rs) is its
//! command line, and the integration tests use these types directly instead
//! of reading manifests again.
//!
//! One job per module:
//! - `workbook`: the workbook on disk, its lessons and their manifests;
//! - `c_build`: the C artifacts from `csrc/`;
//! - `process`: running learner code as a child process tree with limits
//!   (`process_tree_windows`: the tree as a Windows job object);
//! - `check`: one lesson's check, from build to verdict;
//! - `verdict`: what a check concluded, in words a learner can act on;
//! - `crash`: what a signal or a Windows crash code means;
//! - `progress`, `reset`, `scratch`: the learner's state, restoring files,
//!   scratch copies of a workbook;
//! - `ui`, `watch`, `commands`: the front ends;
//! - `grade`: grading a class.

pub mod c_build;
pub mod check;
pub mod commands;
pub mod crash;
pub mod grade;
pub mod libtest;
pub mod process;
#[cfg(windows)]
pub mod process_tree_windows;
pub mod progress;
pub mod reach;
pub mod reset;
pub mod sandbox;
pub mod scratch;
pub mod ui;
pub mod verdict;
pub mod watch;
pub mod workbook;
