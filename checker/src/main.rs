//! The checker's command line (the work is in the library, src/lib.rs).
//! `cargo run -p checker` starts the watch loop
//! (or prints the status once when there is no terminal); the subcommands
//! below do one thing each. Exit codes: 0 success, 1 checks failed, 2 usage
//! or environment errors.

use checker::{commands, grade, process, template, watch, workbook};

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "checker",
    version,
    about = "The FFI Workbook's checker: builds the C, checks your lessons, watches for saves, grades a class.",
    after_help = "Run without a command to start the watch loop (in a terminal) or print your \
                  status once (in a pipe or CI)."
)]
struct Cli {
    /// The workbook folder [default: the one the current folder is in].
    #[arg(long, global = true, env = "FFI_WORKBOOK_ROOT", value_name = "DIR")]
    workbook: Option<PathBuf>,
    /// Seconds your program, and each lesson's tests, may run.
    #[arg(long, global = true, default_value_t = 20, value_name = "SECONDS")]
    timeout: u64,
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Subcommand)]
enum Cmd {
    /// List the lessons and your progress.
    List,
    /// Check one lesson once and show the verdict.
    Run {
        /// The lesson's number or name (`3`, `abi_add`).
        lesson: String,
        /// Show every backtrace and repeated block in full (they are cut
        /// to the lesson's own files, and shown once, by default).
        #[arg(long, short)]
        verbose: bool,
    },
    /// Show a lesson's hint: the first level, or the one --level names.
    Hint {
        lesson: String,
        /// Which level: 1 names the concept, the last shows code.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
        level: u16,
        /// Every level, in order.
        #[arg(long, conflicts_with = "level")]
        all: bool,
    },
    /// Show a lesson's text.
    Lesson { lesson: String },
    /// Check every lesson in order; exit 0 only if all pass.
    Verify {
        /// Check the reference solutions instead, in a scratch copy
        /// (your exercises are not touched).
        #[arg(long)]
        solutions: bool,
        /// With --solutions: leave insta's `.snap.new` files next to the
        /// snapshots that differ, for `cargo insta review` (course authors).
        #[arg(long, requires = "solutions")]
        review: bool,
    },
    /// Restore a lesson's exercise as shipped; your version is kept in a backup.
    Reset {
        lesson: String,
        /// Do not ask for confirmation.
        #[arg(long, short)]
        yes: bool,
    },
    /// Build the C programs and libraries from csrc/ into build/.
    BuildC,
    /// Grade a class: check each submission against this workbook's own tests.
    ///
    /// Each SUBMISSION is a workbook folder, or a .zip or .tar.gz of one (the
    /// workbook may be one folder down). Only the files each lesson lists as
    /// editable are taken from it: tests, snapshots, manifests and csrc/ are
    /// this workbook's, and a submission that changed them is flagged. Exits 0
    /// when the batch was graded, whatever the scores; 2 on usage errors or
    /// when something that is not the learners' fault stopped a check.
    #[command(
        after_help = "Use --timeout SECONDS (default 20) for the time each run of a \
                            lesson's program and tests may take."
    )]
    Grade {
        /// Workbook folders, .zip or .tar.gz files.
        #[arg(required = true, value_name = "SUBMISSION")]
        submissions: Vec<PathBuf>,
        /// The report on stdout: a table for a person, json, csv for a
        /// gradebook, junit XML for CI systems, gradescope's results.json
        /// (one submission), html (the class report), markdown (a compact
        /// table, for a CI run's summary).
        #[arg(long, value_enum, default_value_t = grade::Format::Table)]
        format: grade::Format,
        /// Write the report to FILE, in the format its extension names
        /// (.json, .csv, .xml for JUnit, .txt for the table, .html for the
        /// class report, .md for Markdown; --format's for any other, and a
        /// .json under --format gradescope is Gradescope's). May be
        /// repeated; stdout then shows the table.
        #[arg(long, short, value_name = "FILE")]
        out: Vec<PathBuf>,
        /// Grade each submission that is a git repository at its last
        /// commit before DATE (2026-03-01, 2026-03-01T23:59, with Z or
        /// +01:00 for a zone). Git submissions are always graded at a
        /// commit (HEAD without this), never their uncommitted files.
        #[arg(long, value_name = "DATE")]
        before: Option<String>,
        /// Grade only these lessons: numbers and ranges, such as 1-3,5.
        #[arg(long, value_name = "LIST")]
        lessons: Option<String>,
        /// Submissions graded at once [default: half the cores, 1 to 4].
        /// Each job compiles the dependencies once, in its own target folder.
        #[arg(long, short, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
        jobs: Option<u16>,
        /// Where the grading workspaces are kept between batches
        /// [default: ~/.cache/ffi-workbook/grade-HASH, outside the workbook].
        #[arg(long, value_name = "DIR")]
        work_dir: Option<PathBuf>,
        /// Grade without the bubblewrap sandbox: learner code then runs with
        /// your rights. Only for code you trust, or a throwaway machine; the
        /// report says the run was unconfined.
        #[arg(long)]
        unconfined: bool,
        /// Grade only the K-th of N parts of the batch (1 <= K <= N), for
        /// grading on N machines at once; join their JSON reports with
        /// `checker merge`. A submission's part depends on its name alone.
        /// Give every part the same list of submissions.
        #[arg(long, value_name = "K/N")]
        shard: Option<grade::Shard>,
    },
    /// Join the JSON reports of `grade --shard K/N` runs into one report.
    ///
    /// The result is the report one run over the whole batch would give
    /// (timings aside), in any format. Reports of different workbooks or
    /// lessons, a shard missing or given twice, and a submission in two
    /// reports are refused. Exits 0, or 2 when a lesson could not be graded.
    Merge {
        /// JSON reports written by `grade --out FILE.json`.
        #[arg(required = true, value_name = "REPORT.json")]
        reports: Vec<PathBuf>,
        /// The report on stdout (see `grade --format`).
        #[arg(long, value_enum, default_value_t = grade::Format::Table)]
        format: grade::Format,
        /// Write the merged report to FILE, in the format its extension
        /// names. May be repeated; stdout then shows the table.
        #[arg(long, short, value_name = "FILE")]
        out: Vec<PathBuf>,
        /// A report of regraded submissions: each replaces the one of the
        /// same name (a new name is added). May be repeated.
        #[arg(long, value_name = "REPORT.json")]
        replace: Vec<PathBuf>,
    },
    /// Remove grading work folders (their workspaces and build folders),
    /// listing each with its size: every workbook's default one, or --work-dir's.
    Clean {
        /// The work folder a `grade --work-dir DIR` used.
        #[arg(long, value_name = "DIR")]
        work_dir: Option<PathBuf>,
        /// Only list what would be removed.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write the learners' repository (for a GitHub Classroom template):
    /// this workbook's committed files without solutions/ or anything else
    /// that holds an answer, with the learners' README and CI.
    Template {
        /// A new or empty folder.
        dir: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    process::init();
    process::kill_children_on_interrupt();
    // Merging reads reports only: it needs no workbook.
    if let Some(Cmd::Merge {
        reports,
        format,
        out,
        replace,
    }) = cli.command
    {
        let options = grade::MergeOptions {
            reports,
            format,
            out,
            replace,
        };
        return grade::merge(options).unwrap_or_else(|err| commands::fail(&err));
    }
    // Nor does cleaning work folders.
    if let Some(Cmd::Clean { work_dir, dry_run }) = cli.command {
        return grade::clean(work_dir, dry_run).unwrap_or_else(|err| commands::fail(&err));
    }
    let root = match workbook::locate(cli.workbook.clone()) {
        Ok(root) => root,
        Err(err) => return commands::fail(&err),
    };
    let context = match commands::Context::new(&root, cli.timeout) {
        Ok(context) => context,
        Err(err) => return commands::fail(&err),
    };
    let result = match cli.command {
        None if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() => {
            watch::run(&context)
        }
        None => commands::status_once(&context),
        Some(Cmd::List) => commands::list(&context),
        Some(Cmd::Run { lesson, verbose }) => commands::run(&context, &lesson, verbose),
        Some(Cmd::Hint { lesson, level, all }) => {
            commands::hint(&context, &lesson, usize::from(level), all)
        }
        Some(Cmd::Lesson { lesson }) => commands::lesson_text(&context, &lesson),
        Some(Cmd::Verify { solutions, review }) => commands::verify(&context, solutions, review),
        Some(Cmd::Reset { lesson, yes }) => commands::reset(&context, &lesson, yes),
        Some(Cmd::BuildC) => commands::build_c(&context),
        Some(Cmd::Grade {
            submissions,
            format,
            out,
            jobs,
            work_dir,
            unconfined,
            shard,
            before,
            lessons,
        }) => grade::run(
            &context,
            grade::Options {
                paths: submissions,
                format,
                out,
                jobs: jobs.map(usize::from),
                work_dir,
                unconfined,
                shard,
                before,
                lessons,
            },
        ),
        Some(Cmd::Template { dir }) => template::run(&context, &dir),
        Some(Cmd::Merge { .. } | Cmd::Clean { .. }) => {
            unreachable!("merge and clean run before the workbook is loaded")
        }
    };
    result.unwrap_or_else(|err| commands::fail(&err))
}
