//! Makes every page in `src/` a documentation module of this crate, so
//! `cargo test -p lessons --doc` compiles (and, unless marked `no_run`, runs)
//! every Rust code block of the book. A new page needs no registration here.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let src = Path::new("src");
    println!("cargo:rerun-if-changed=src");
    let mut pages: Vec<String> = std::fs::read_dir(src)
        .expect("lessons/src is readable")
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".md") && name != "SUMMARY.md")
        .collect();
    pages.sort();

    let mut code = String::new();
    for page in &pages {
        let module: String = page
            .trim_end_matches(".md")
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        let path = std::fs::canonicalize(src.join(page)).expect("page path");
        writeln!(
            code,
            "#[doc = include_str!({:?})]\npub mod page_{module} {{}}",
            path.display().to_string()
        )
        .unwrap();
    }
    let out = std::env::var("OUT_DIR").expect("OUT_DIR");
    std::fs::write(Path::new(&out).join("pages.rs"), code).expect("write pages.rs");
}
