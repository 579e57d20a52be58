//! The FFI Workbook's checker, as a library: the binary (main.rs) is its
//! command line, and the integration tests use these types directly instead
//! of reading manifests again.
//!
//! One job per module:
//! - `workbook`: the workbook on disk, its lessons and their manifests;
//! - `c_build`: the C artifacts from `csrc/`;
//! - `process`: running learner code as a child process tree with limits
//! - `check`: one lesson's check, from build to verdict;
//! - `compile`: cargo compiling lessons, one alone or many in one call;
//! - `verdict`: what a check concluded, in words a learner can act on;
//! - `crash`: what a signal or a Windows crash code means;
//! - `progress`, `reset`, `scratch`: the learner's state, restoring files,
//!   scratch copies of a workbook;
//! - `session`: the one owner of the workbook, its check environment and the
//!   progress; every front end checks and records through it;
//! - `summary`: compiler and test output as a learner should read it;
//! - `ui`, `screen`, `warmup`, `watch`, `commands`: the front ends;
//! - `grade`: grading a class (in the sandbox, `sandbox`; with learner code
//!   read for what it reaches, `reach`; libtest's reports read by `libtest`;
//!   lessons judged outside learner code by their probes, `probe`);
//! - `template`: the learners' repository, without the answers;
//! - `tools`: the checker's own probes of the machine's tools;
//! - `text`: text a submission wrote, made safe to show.

pub mod c_build;
pub mod check;
pub mod commands;
pub mod compile;
pub mod crash;
pub mod grade;
pub mod libtest;
pub mod probe;
pub mod process;
pub mod progress;
pub mod reach;
pub mod reset;
pub mod sandbox;
pub mod scratch;
pub mod screen;
pub mod session;
pub mod summary;
pub mod template;
pub mod text;
pub mod tools;
pub mod ui;
pub mod verdict;
pub mod warmup;
pub mod watch;
pub mod workbook;
