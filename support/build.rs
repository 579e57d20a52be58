//! The memory checks' build mode. With `FFI_WORKBOOK_MEMCHECK=asan` at build
//! time (and the lesson's C compiled with `-fsanitize=address`, through
//! `CFLAGS`), every test program that uses this crate links the
//! AddressSanitizer runtime, and `memcheck` knows it runs under ASan.

fn main() {
    println!("cargo:rerun-if-env-changed=FFI_WORKBOOK_MEMCHECK");
    println!("cargo:rustc-check-cfg=cfg(workbook_asan)");
    // The ASan build names its target explicitly (see memcheck::asan_build_env).
    println!(
        "cargo:rustc-env=WORKBOOK_TARGET={}",
        std::env::var("TARGET").expect("cargo sets TARGET")
    );
    if std::env::var("FFI_WORKBOOK_MEMCHECK").as_deref() == Ok("asan") {
        println!("cargo:rustc-cfg=workbook_asan");
    }
}
